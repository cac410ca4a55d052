/**
 * Every provider time format -> UTC ISO-8601. Each caller states the zone the cloud meant, because several
 * formats carry none (Tencent writes Beijing wall-clock time, Alibaba sometimes drops the trailing Z).
 */
import { DateTime } from 'luxon';

export const UTC = 'UTC';
/** Beijing time, UTC+8 all year (no daylight saving). */
export const CHINA_STANDARD_TIME = 'Asia/Shanghai';

const ISO_WITHOUT_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;
const SPACED = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const UNIX_SECONDS = /^\d{9,11}$/;

function toIso(dt: DateTime): string | null {
	return dt.isValid ? dt.toUTC().toISO({ suppressMilliseconds: true }) : null;
}

/**
 * Parses an ISO-8601 time or a `yyyy-MM-dd HH:mm:ss` time; a value without a zone is read in `zoneWhenAbsent`.
 * Returns null for empty or unparseable input (never a guess).
 */
export function parseProviderTime(value: unknown, zoneWhenAbsent: string): string | null {
	if (typeof value === 'number') return parseUnixSeconds(value);
	if (typeof value !== 'string') return null;
	const text = value.trim();
	if (!text) return null;
	if (ISO_WITH_ZONE.test(text)) return toIso(DateTime.fromISO(text, { setZone: true }));
	if (ISO_WITHOUT_ZONE.test(text)) return toIso(DateTime.fromISO(text, { zone: zoneWhenAbsent }));
	if (SPACED.test(text))
		return toIso(DateTime.fromFormat(text, 'yyyy-MM-dd HH:mm:ss', { zone: zoneWhenAbsent }));
	if (UNIX_SECONDS.test(text)) return parseUnixSeconds(Number(text));
	return null;
}

/** UNIX seconds (number or digit string); 0 and negatives mean "not set" to the clouds that send them. */
export function parseUnixSeconds(value: unknown): string | null {
	const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
	if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) return null;
	return toIso(DateTime.fromSeconds(n, { zone: UTC }));
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
