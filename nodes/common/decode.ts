/**
 * Reading fields of a cloud's JSON answer, for the clouds' decoders (normalize.ts) and clients. What cannot be read
 * as documented throws MalformedAnswerError (the client turns it into a 'malformed' error naming the action); what
 * is merely absent is null, never a guess.
 */
import { MalformedAnswerError } from './errors';
import { parseUnixSeconds } from './time';

export type Raw = Record<string, unknown>;

export function isRecord(value: unknown): value is Raw {
	return !!value && typeof value === 'object' && !Array.isArray(value);
}

/** A string field as it was sent; an empty string is as good as absent. */
export function nonEmptyString(value: unknown): string | undefined {
	return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A text field: a string as sent (blank is null) or a finite number as text; anything else is null. */
export function text(value: unknown): string | null {
	if (typeof value === 'string') return value.trim() === '' ? null : value;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return null;
}

/**
 * A documented value through its table: clouds send enum codes as numbers or as text (`1`, `"1"`, `" 1"`), so
 * both are read as the trimmed text; a value the table does not have is `fallback`.
 */
export function lookup<T extends string>(table: Record<string, T>, value: unknown, fallback: T): T {
	const key = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
	return typeof key === 'string' && Object.prototype.hasOwnProperty.call(table, key.trim())
		? table[key.trim()]
		: fallback;
}

/**
 * An ID field that must be there: a record without its ID cannot be told apart, so the answer is malformed.
 * `read` is how the cloud's IDs are read (default: `text`).
 */
export function requireId(
	value: unknown,
	field: string,
	read: (value: unknown) => string | null = text,
): string {
	const id = read(value);
	if (id === null) {
		throw new MalformedAnswerError(
			`a record has no ${field}${value === undefined ? '' : ` (${JSON.stringify(value)})`}`,
		);
	}
	return id;
}

/**
 * A list field: an array of records. Absent or null is an empty list; anything else, or an entry that is not a
 * record (`null`, a string), makes the answer malformed. `wrapped`: the list may also come inside an object named
 * after its element (`{"Backup": [...]}`), as XML-born APIs write it.
 */
export function listOf(value: unknown, name: string, { wrapped = false } = {}): Raw[] {
	if (value === undefined || value === null) return [];
	const list = wrapped && isRecord(value) ? (value[name] ?? []) : value;
	if (!Array.isArray(list)) {
		throw new MalformedAnswerError(`the ${name} list is ${JSON.stringify(value).slice(0, 80)}`);
	}
	list.forEach((entry: unknown, index) => {
		if (!isRecord(entry)) {
			throw new MalformedAnswerError(
				`${name} entry ${index} is ${JSON.stringify(entry)}, not a record`,
			);
		}
	});
	return list as Raw[];
}

/**
 * When a presigned URL stops working, by its `Expires` query parameter (UNIX seconds); null when the URL has none
 * or it is not a plausible time.
 */
export function expiresParamOf(url: string | null): string | null {
	if (!url) return null;
	try {
		return parseUnixSeconds(new URL(url).searchParams.get('Expires') ?? '');
	} catch {
		return null;
	}
}
