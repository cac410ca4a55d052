/**
 * Provider-neutral paging. Two styles cover the three clouds: page numbers (Alibaba) and offsets (Tencent,
 * UCloud). Both yield whole pages, stop on the first of: limit reached, the total reached, an empty page, a short
 * page where the API sends no total; and fail loudly rather than loop forever or silently drop items.
 */

export interface Page<T> {
	items: T[];
	/** Total number of items the API says match, when it says. */
	total?: number | null;
}

export interface PagingOptions<T> {
	/** Items per request; must be a size the API accepts. */
	pageSize: number;
	/** Stop after this many items; undefined = all of them ("Return All"). */
	limit?: number;
	/**
	 * Identity of an item. When given, items already seen are skipped: on a live list a new backup pushes
	 * the previous page's last item onto the next page.
	 */
	keyOf?: (item: T) => string;
	/** Keep only items that pass (a filter the API cannot apply); the limit counts kept items. */
	accept?: (item: T) => boolean;
	/** Upper bound on requests, so an API that ignores the page parameter cannot keep us busy forever. */
	maxPages?: number;
}

export class PagingError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'PagingError';
	}
}

const DEFAULT_MAX_PAGES = 10_000;

type FetchPage<T> = (position: number, pageSize: number) => Promise<Page<T>>;

async function* pages<T>(
	fetchPage: FetchPage<T>,
	firstPosition: number,
	advance: (position: number, received: number) => number,
	options: PagingOptions<T>,
): AsyncGenerator<T[]> {
	const { pageSize, limit, keyOf, accept } = options;
	const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
	if (!Number.isInteger(pageSize) || pageSize <= 0)
		throw new PagingError(`Invalid page size ${pageSize}`);
	if (limit !== undefined && limit <= 0) return;

	const seen = new Set<string>();
	let position = firstPosition;
	let emitted = 0;
	let received = 0;
	for (let request = 1; ; request++) {
		if (request > maxPages) {
			throw new PagingError(
				`Stopped after ${maxPages} pages without reaching the end of the list; narrow the time range or set a limit`,
			);
		}
		const page = await fetchPage(position, pageSize);
		received += page.items.length;
		let fresh = page.items;
		if (keyOf) {
			fresh = page.items.filter((item) => {
				const key = keyOf(item);
				if (seen.has(key)) return false;
				seen.add(key);
				return true;
			});
			if (page.items.length > 0 && fresh.length === 0) {
				throw new PagingError(
					'The API returned a page of items already seen; it may be ignoring the page parameter',
				);
			}
		}
		if (accept) fresh = fresh.filter(accept);
		if (limit !== undefined && emitted + fresh.length > limit)
			fresh = fresh.slice(0, limit - emitted);
		emitted += fresh.length;
		if (fresh.length > 0) yield fresh;

		const total = typeof page.total === 'number' ? page.total : null;
		// A short page ends the list only when the API sends no total: one that caps the page size below the size
		// asked for (silently, as some document no maximum) still says by its total that more items follow.
		const done =
			(limit !== undefined && emitted >= limit) ||
			page.items.length === 0 ||
			(total !== null ? received >= total : page.items.length < pageSize);
		if (done) return;
		position = advance(position, page.items.length);
	}
}

/** Pages addressed by number: 1, 2, 3, ... */
export function pageNumberPages<T>(
	fetchPage: FetchPage<T>,
	options: PagingOptions<T>,
): AsyncGenerator<T[]> {
	return pages(fetchPage, 1, (pageNumber) => pageNumber + 1, options);
}

/** Pages addressed by item offset: 0, pageSize, 2 x pageSize, ... */
export function offsetPages<T>(
	fetchPage: FetchPage<T>,
	options: PagingOptions<T>,
): AsyncGenerator<T[]> {
	return pages(fetchPage, 0, (offset, received) => offset + received, options);
}

export async function collectPages<T>(source: AsyncIterable<T[]>): Promise<T[]> {
	const all: T[] = [];
	for await (const page of source) all.push(...page);
	return all;
}
