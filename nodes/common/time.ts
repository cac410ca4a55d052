/**
 * Every provider time format -> UTC ISO-8601. Each caller states the zone the cloud meant, because several
 * formats carry none (Tencent writes Beijing wall-clock time, Alibaba sometimes drops the trailing Z).
 */
import { DateTime } from 'luxon';

import { MalformedAnswerError } from './errors';

export const UTC = 'UTC';
/** Beijing time, UTC+8 all year (no daylight saving). */
export const CHINA_STANDARD_TIME = 'Asia/Shanghai';

const ISO_WITHOUT_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;
const SPACED = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

/**
 * Times a backup API may plausibly report. Outside it, the value is not what the field is documented to hold
 * (epoch milliseconds where seconds are expected would be the year 55996).
 */
const EARLIEST_MS = Date.UTC(2000, 0, 1);
const LATEST_MS = Date.UTC(2200, 0, 1);

function plausible(dt: DateTime, value: unknown): string {
	if (!dt.isValid) throw new MalformedAnswerError(`${JSON.stringify(value)} is not a time`);
	const ms = dt.toMillis();
	if (ms < EARLIEST_MS || ms >= LATEST_MS) {
		throw new MalformedAnswerError(
			`${JSON.stringify(value)} is not a plausible time (${dt.toUTC().toISO()}); milliseconds where seconds are expected?`,
		);
	}
	return dt.toUTC().toISO({ suppressMilliseconds: true }) as string;
}

/**
 * Parses an ISO-8601 time, a `yyyy-MM-dd HH:mm:ss` time or UNIX seconds; a value without a zone is read in
 * `zoneWhenAbsent`. Empty means "not set" (null). Anything else is a malformed answer, never a guess: a time the
 * cloud sent in another form than documented, or one outside 2000..2200.
 */
export function parseProviderTime(value: unknown, zoneWhenAbsent: string): string | null {
	if (value === undefined || value === null) return null;
	if (typeof value === 'number') return parseUnixSeconds(value);
	if (typeof value !== 'string')
		throw new MalformedAnswerError(`${JSON.stringify(value)} is not a time`);
	const text = value.trim();
	if (!text) return null;
	if (ISO_WITH_ZONE.test(text)) return plausible(DateTime.fromISO(text, { setZone: true }), value);
	if (ISO_WITHOUT_ZONE.test(text))
		return plausible(DateTime.fromISO(text, { zone: zoneWhenAbsent }), value);
	if (SPACED.test(text))
		return plausible(
			DateTime.fromFormat(text, 'yyyy-MM-dd HH:mm:ss', { zone: zoneWhenAbsent }),
			value,
		);
	if (/^\d+$/.test(text)) return parseUnixSeconds(Number(text));
	throw new MalformedAnswerError(`${JSON.stringify(value)} is not a time`);
}

/**
 * UNIX seconds (number or digit string); 0 and negatives mean "not set" to the clouds that send them. A value
 * that is not a plausible time in seconds (milliseconds, say) is a malformed answer.
 */
export function parseUnixSeconds(value: unknown): string | null {
	const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
	if (typeof n !== 'number' || !Number.isFinite(n)) {
		if (value === undefined || value === null || value === '') return null;
		throw new MalformedAnswerError(`${JSON.stringify(value)} is not a time in UNIX seconds`);
	}
	if (n <= 0) return null;
	return plausible(DateTime.fromSeconds(n, { zone: UTC }), value);
}

/**
 * Reads a user-supplied time (an n8n date picker value, an ISO string, a luxon DateTime from an expression,
 * a JS Date, or epoch milliseconds). Returns null when it cannot be read, so the caller can name the parameter.
 */
export function parseUserTime(value: unknown, zoneWhenAbsent = UTC): DateTime | null {
	if (value === undefined || value === null || value === '') return null;
	if (DateTime.isDateTime(value)) return value.isValid ? value.toUTC() : null;
	if (value instanceof Date) return toValid(DateTime.fromJSDate(value));
	if (typeof value === 'number') return toValid(DateTime.fromMillis(value));
	if (typeof value !== 'string') return null;
	const text = value.trim();
	const iso = DateTime.fromISO(text, { zone: zoneWhenAbsent });
	if (iso.isValid) return iso.toUTC();
	const spaced = DateTime.fromFormat(text, 'yyyy-MM-dd HH:mm:ss', { zone: zoneWhenAbsent });
	return toValid(spaced);
}

function toValid(dt: DateTime): DateTime | null {
	return dt.isValid ? dt.toUTC() : null;
}

/** Formats a time for a request in the given zone and luxon format (e.g. "yyyy-MM-dd'T'HH:mm'Z'" in UTC). */
export function formatForProvider(dt: DateTime, format: string, zone: string): string {
	return dt.setZone(zone).toFormat(format);
}
