import {
	PagingError,
	collectPages,
	offsetPages,
	pageNumberPages,
	type Page,
	type PagingOptions,
} from '../../nodes/common/paginate';

interface Item {
	id: string;
	ok?: boolean;
}

const items = (...ids: string[]): Item[] => ids.map((id) => ({ id }));
const ids = (list: Item[]) => list.map((item) => item.id);

/** A fake API that answers from a script of pages and records every request. */
function scripted(script: Array<Page<Item>>) {
	const requests: Array<[number, number]> = [];
	const fetchPage = jest.fn(async (position: number, pageSize: number) => {
		requests.push([position, pageSize]);
		const page = script[requests.length - 1];
		if (!page) throw new Error(`unexpected request #${requests.length} (${position}, ${pageSize})`);
		return page;
	});
	return { fetchPage, requests };
}

/** A fake API serving a fixed list by page number (1-based). */
function byPageNumber(list: Item[], total: number | null = list.length) {
	const requests: Array<[number, number]> = [];
	const fetchPage = async (pageNumber: number, pageSize: number): Promise<Page<Item>> => {
		requests.push([pageNumber, pageSize]);
		return { items: list.slice((pageNumber - 1) * pageSize, pageNumber * pageSize), total };
	};
	return { fetchPage, requests };
}

/** A fake API serving a fixed list by offset. */
function byOffset(list: Item[], total: number | null = list.length) {
	const requests: Array<[number, number]> = [];
	const fetchPage = async (offset: number, pageSize: number): Promise<Page<Item>> => {
		requests.push([offset, pageSize]);
		return { items: list.slice(offset, offset + pageSize), total };
	};
	return { fetchPage, requests };
}

const list7 = items('a', 'b', 'c', 'd', 'e', 'f', 'g');

async function pagesOf(source: AsyncIterable<Item[]>): Promise<string[][]> {
	const result: string[][] = [];
	for await (const page of source) result.push(ids(page));
	return result;
}

describe.each([
	['pageNumberPages', pageNumberPages, byPageNumber, (n: number): number => n + 1, 1],
	['offsetPages', offsetPages, byOffset, (offset: number, size: number) => offset + size, 0],
] as const)('%s', (_name, paginate, api, next, first) => {
	const positions = (count: number, size: number) => {
		const result: Array<[number, number]> = [];
		let position: number = first;
		for (let i = 0; i < count; i++) {
			result.push([position, size]);
			position = next(position, size);
		}
		return result;
	};

	it('returns every item across pages, in order, and stops when the total is reached', async () => {
		const { fetchPage, requests } = api(list7);
		expect(await pagesOf(paginate(fetchPage, { pageSize: 3 }))).toEqual([['a', 'b', 'c'], ['d', 'e', 'f'], ['g']]);
		expect(requests).toEqual(positions(3, 3));
	});

	it('stops on the total without asking for an empty page after a full last page', async () => {
		const { fetchPage, requests } = api(items('a', 'b', 'c', 'd'));
		expect(await collectPages(paginate(fetchPage, { pageSize: 2 })).then(ids)).toEqual(['a', 'b', 'c', 'd']);
		expect(requests).toEqual(positions(2, 2));
	});

	it('without a total, stops on the first short page', async () => {
		const { fetchPage, requests } = api(list7, null);
		expect(await collectPages(paginate(fetchPage, { pageSize: 3 })).then(ids)).toEqual(ids(list7));
		expect(requests).toEqual(positions(3, 3));
	});

	it('without a total, a full last page costs one more request, which comes back empty', async () => {
		const { fetchPage, requests } = api(items('a', 'b', 'c', 'd'), null);
		expect(await pagesOf(paginate(fetchPage, { pageSize: 2 }))).toEqual([['a', 'b'], ['c', 'd']]);
		expect(requests).toEqual(positions(3, 2));
	});

	it('an empty first page yields nothing after one request', async () => {
		const { fetchPage, requests } = api([], 0);
		expect(await pagesOf(paginate(fetchPage, { pageSize: 30 }))).toEqual([]);
		expect(requests).toEqual(positions(1, 30));
	});

	it('the limit cuts a page and stops requesting', async () => {
		const { fetchPage, requests } = api(list7);
		expect(await pagesOf(paginate(fetchPage, { pageSize: 3, limit: 4 }))).toEqual([['a', 'b', 'c'], ['d']]);
		expect(requests).toEqual(positions(2, 3));
	});

	it('a limit equal to a page boundary does not request the next page', async () => {
		const { fetchPage, requests } = api(list7);
		expect(await collectPages(paginate(fetchPage, { pageSize: 3, limit: 3 })).then(ids)).toEqual(['a', 'b', 'c']);
		expect(requests).toEqual(positions(1, 3));
	});

	it('a limit above the number of items returns them all', async () => {
		const { fetchPage } = api(list7);
		expect(await collectPages(paginate(fetchPage, { pageSize: 3, limit: 100 })).then(ids)).toEqual(ids(list7));
	});

	it('limit 0 (or less) sends no request and yields nothing', async () => {
		for (const limit of [0, -1]) {
			const { fetchPage, requests } = api(list7);
			expect(await collectPages(paginate(fetchPage, { pageSize: 3, limit }))).toEqual([]);
			expect(requests).toEqual([]);
		}
	});

	it.each([0, -1, 2.5, NaN])('rejects page size %p before any request', async (pageSize) => {
		const { fetchPage, requests } = api(list7);
		await expect(collectPages(paginate(fetchPage, { pageSize }))).rejects.toThrow(PagingError);
		expect(requests).toEqual([]);
	});

	it('applies `accept` before the limit counts', async () => {
		const list = [
			{ id: 'a', ok: false },
			{ id: 'b', ok: true },
			{ id: 'c', ok: false },
			{ id: 'd', ok: false },
			{ id: 'e', ok: true },
			{ id: 'f', ok: true },
			{ id: 'g', ok: true },
		];
		const { fetchPage, requests } = api(list);
		const result = await pagesOf(paginate(fetchPage, { pageSize: 2, limit: 3, accept: (item) => item.ok === true }));
		// Page 1 [a,b] keeps b; page 2 [c,d] keeps nothing (not yielded, not the end); page 3 [e,f] reaches 3.
		expect(result).toEqual([['b'], ['e', 'f']]);
		expect(requests).toEqual(positions(3, 2));
	});

	it('`accept` dropping a whole page does not end the listing', async () => {
		const list = items('x1', 'x2', 'x3', 'x4', 'y1');
		const { fetchPage } = api(list);
		const result = await collectPages(paginate(fetchPage, { pageSize: 2, accept: (item) => item.id.startsWith('y') }));
		expect(ids(result)).toEqual(['y1']);
	});

	it('counts the total in items received, not items accepted', async () => {
		const { fetchPage, requests } = api(items('a', 'b', 'c', 'd'));
		const result = await collectPages(paginate(fetchPage, { pageSize: 2, accept: () => false }));
		expect(result).toEqual([]);
		expect(requests).toEqual(positions(2, 2));
	});

	it('maxPages stops an endless listing with a PagingError', async () => {
		let served = 0;
		const endless = async (_position: number, pageSize: number): Promise<Page<Item>> => {
			const page = Array.from({ length: pageSize }, (_, i) => ({ id: `i${served + i}` }));
			served += pageSize;
			return { items: page, total: null };
		};
		const fetchSpy = jest.fn(endless);
		const seen: string[] = [];
		const run = async () => {
			for await (const page of paginate(fetchSpy, { pageSize: 2, maxPages: 3, keyOf: (item) => item.id })) seen.push(...ids(page));
		};
		await expect(run()).rejects.toThrow(/Stopped after 3 pages/);
		await expect(run()).rejects.toBeInstanceOf(PagingError);
		// Three pages were served and yielded before the error on the (refused) fourth request, in each run.
		expect(fetchSpy).toHaveBeenCalledTimes(6);
		expect(seen.slice(0, 6)).toEqual(['i0', 'i1', 'i2', 'i3', 'i4', 'i5']);
	});

	it('maxPages is not an error when the list ends on the last allowed page', async () => {
		const { fetchPage } = api(items('a', 'b', 'c', 'd', 'e', 'f'));
		expect(await collectPages(paginate(fetchPage, { pageSize: 2, maxPages: 3 })).then(ids)).toEqual([
			'a',
			'b',
			'c',
			'd',
			'e',
			'f',
		]);
	});

	it('a page of items already seen (API ignoring the page parameter) is a PagingError, not a loop', async () => {
		const fetchPage = jest.fn(async () => ({ items: items('a', 'b'), total: null }));
		const yielded: string[][] = [];
		const run = async () => {
			for await (const page of paginate(fetchPage, { pageSize: 2, keyOf: (item) => item.id })) yielded.push(ids(page));
		};
		await expect(run()).rejects.toThrow(/already seen/);
		expect(yielded).toEqual([['a', 'b']]);
		expect(fetchPage).toHaveBeenCalledTimes(2);
	});

	it('without keyOf, repeated pages are only stopped by maxPages', async () => {
		const fetchPage = jest.fn(async () => ({ items: items('a', 'b'), total: null }));
		await expect(collectPages(paginate(fetchPage, { pageSize: 2, maxPages: 5 }))).rejects.toThrow(PagingError);
		expect(fetchPage).toHaveBeenCalledTimes(5);
	});

	it('propagates an error of fetchPage after yielding the earlier pages', async () => {
		const { fetchPage: inner } = api(list7);
		let calls = 0;
		const fetchPage = async (position: number, size: number) => {
			calls++;
			if (calls === 2) throw new Error('boom');
			return await inner(position, size);
		};
		const yielded: string[][] = [];
		const run = async () => {
			for await (const page of paginate(fetchPage, { pageSize: 3 })) yielded.push(ids(page));
		};
		await expect(run()).rejects.toThrow('boom');
		expect(yielded).toEqual([['a', 'b', 'c']]);
	});

	it('does not request the next page before the consumer asks for it', async () => {
		const { fetchPage, requests } = api(list7);
		const iterator = paginate(fetchPage, { pageSize: 3 });
		await iterator.next();
		expect(requests).toHaveLength(1);
		await iterator.return(undefined);
		expect(requests).toHaveLength(1);
	});
});

describe('de-duplication with keyOf', () => {
	it('offsetPages: an item pushed onto the next page by a new one is emitted once', async () => {
		// Page 1 is read, then a new backup "n" arrives at the head: "c" moves from offset 2 to offset 3.
		const { fetchPage, requests } = scripted([
			{ items: items('a', 'b', 'c'), total: 7 },
			{ items: items('c', 'd', 'e'), total: 8 },
			{ items: items('f', 'g'), total: 8 },
		]);
		const options: PagingOptions<Item> = { pageSize: 3, keyOf: (item) => item.id };
		expect(await pagesOf(offsetPages(fetchPage, options))).toEqual([['a', 'b', 'c'], ['d', 'e'], ['f', 'g']]);
		expect(requests).toEqual([
			[0, 3],
			[3, 3],
			[6, 3],
		]);
	});

	it('pageNumberPages: the same shift, page numbers 1, 2, 3, ending on the grown total', async () => {
		const { fetchPage, requests } = scripted([
			{ items: items('a', 'b'), total: 5 },
			{ items: items('b', 'c'), total: 6 },
			{ items: items('d', 'e'), total: 6 },
		]);
		const result = await collectPages(pageNumberPages(fetchPage, { pageSize: 2, keyOf: (item) => item.id }));
		expect(ids(result)).toEqual(['a', 'b', 'c', 'd', 'e']);
		expect(requests).toEqual([
			[1, 2],
			[2, 2],
			[3, 2],
		]);
	});

	it('duplicates are dropped before the limit counts', async () => {
		const { fetchPage } = scripted([
			{ items: items('a', 'b'), total: null },
			{ items: items('b', 'c'), total: null },
			{ items: items('d', 'e'), total: null },
		]);
		const result = await collectPages(offsetPages(fetchPage, { pageSize: 2, limit: 4, keyOf: (item) => item.id }));
		expect(ids(result)).toEqual(['a', 'b', 'c', 'd']);
	});

	it('items rejected by accept still count as seen', async () => {
		const { fetchPage } = scripted([
			{ items: items('a', 'b'), total: null },
			{ items: items('b', 'c'), total: null },
			{ items: items('d'), total: null },
		]);
		const result = await collectPages(
			offsetPages(fetchPage, { pageSize: 2, keyOf: (item) => item.id, accept: (item) => item.id !== 'b' }),
		);
		expect(ids(result)).toEqual(['a', 'c', 'd']);
	});

	it('offsets advance by the items received, including duplicates', async () => {
		const { fetchPage, requests } = scripted([
			{ items: items('a', 'b', 'c', 'd'), total: null },
			{ items: items('d', 'e', 'f', 'g'), total: null },
			{ items: items('h'), total: null },
		]);
		await collectPages(offsetPages(fetchPage, { pageSize: 4, keyOf: (item) => item.id }));
		expect(requests).toEqual([
			[0, 4],
			[4, 4],
			[8, 4],
		]);
	});
});

describe('collectPages', () => {
	it('flattens the pages in order', async () => {
		async function* source() {
			yield items('a', 'b');
			yield items('c');
			yield [];
			yield items('d');
		}
		expect(ids(await collectPages(source()))).toEqual(['a', 'b', 'c', 'd']);
	});
});
