import { DateTime } from 'luxon';
import { MalformedAnswerError } from '../../nodes/common/errors';

import {
	CHINA_STANDARD_TIME,
	UTC,
	formatForProvider,
	parseProviderTime,
	parseUnixSeconds,
	parseUserTime,
} from '../../nodes/common/time';

describe('parseProviderTime', () => {
	describe('Alibaba Cloud (UTC)', () => {
		it('reads a UTC time with Z', () => {
			expect(parseProviderTime('2024-01-10T17:21:25Z', UTC)).toBe('2024-01-10T17:21:25Z');
		});

		it('reads a time without Z as UTC (DescribeClusterBackupList BackupEndTime)', () => {
			expect(parseProviderTime('2024-01-09T17:21:57', UTC)).toBe('2024-01-09T17:21:57Z');
		});

		it('reads a minutes-only time (the documented StartTime format)', () => {
			expect(parseProviderTime('2018-12-03T07:01Z', UTC)).toBe('2018-12-03T07:01:00Z');
			expect(parseProviderTime('2018-12-03T07:01', UTC)).toBe('2018-12-03T07:01:00Z');
		});

		it('keeps milliseconds when there are some', () => {
			expect(parseProviderTime('2024-01-10T17:21:25.123Z', UTC)).toBe('2024-01-10T17:21:25.123Z');
			expect(parseProviderTime('2024-01-10T17:21:25.5', UTC)).toBe('2024-01-10T17:21:25.500Z');
		});

		it('drops zero milliseconds', () => {
			expect(parseProviderTime('2024-01-10T17:21:25.000Z', UTC)).toBe('2024-01-10T17:21:25Z');
		});

		it('converts +08:00 and +0800 offsets to UTC', () => {
			expect(parseProviderTime('2024-01-11T01:21:25+08:00', UTC)).toBe('2024-01-10T17:21:25Z');
			expect(parseProviderTime('2024-01-11T01:21:25+0800', UTC)).toBe('2024-01-10T17:21:25Z');
			expect(parseProviderTime('2024-01-11T01:21:25.250+08:00', UTC)).toBe('2024-01-10T17:21:25.250Z');
		});

		it('converts a negative offset across a day boundary', () => {
			expect(parseProviderTime('2024-01-10T20:00:00-05:00', UTC)).toBe('2024-01-11T01:00:00Z');
		});

		it('an explicit zone wins over the zone used when none is given', () => {
			expect(parseProviderTime('2024-01-10T17:21:25Z', CHINA_STANDARD_TIME)).toBe('2024-01-10T17:21:25Z');
			expect(parseProviderTime('2024-01-11T01:21:25+08:00', CHINA_STANDARD_TIME)).toBe('2024-01-10T17:21:25Z');
		});

		it('trims surrounding whitespace', () => {
			expect(parseProviderTime('  2024-01-10T17:21:25Z \n', UTC)).toBe('2024-01-10T17:21:25Z');
		});
	});

	describe('Tencent Cloud (Beijing wall-clock time)', () => {
		it('reads `yyyy-MM-dd HH:mm:ss` in Asia/Shanghai', () => {
			expect(parseProviderTime('2017-02-08 16:46:34', CHINA_STANDARD_TIME)).toBe('2017-02-08T08:46:34Z');
		});

		it('moves to the previous UTC day before 08:00 Beijing time', () => {
			expect(parseProviderTime('2017-03-01 07:59:59', CHINA_STANDARD_TIME)).toBe('2017-02-28T23:59:59Z');
		});

		it('reads the same text as UTC when told so', () => {
			expect(parseProviderTime('2017-02-08 16:46:34', UTC)).toBe('2017-02-08T16:46:34Z');
		});

		it('reads a zone-less ISO time in the given zone too', () => {
			expect(parseProviderTime('2017-02-08T16:46:34', CHINA_STANDARD_TIME)).toBe('2017-02-08T08:46:34Z');
		});
	});

	describe('UCloud (UNIX seconds)', () => {
		it('reads seconds given as a number', () => {
			expect(parseProviderTime(1403249482, UTC)).toBe('2014-06-20T07:31:22Z');
		});

		it('reads seconds given as a string', () => {
			expect(parseProviderTime('1403249482', UTC)).toBe('2014-06-20T07:31:22Z');
			expect(parseProviderTime(' 1403249482 ', UTC)).toBe('2014-06-20T07:31:22Z');
		});

		it('does not apply the zone to UNIX seconds', () => {
			expect(parseProviderTime(1403249482, CHINA_STANDARD_TIME)).toBe('2014-06-20T07:31:22Z');
			expect(parseProviderTime('1403249482', CHINA_STANDARD_TIME)).toBe('2014-06-20T07:31:22Z');
		});

		it('treats 0 and negatives as "not set"', () => {
			expect(parseProviderTime(0, UTC)).toBeNull();
			expect(parseProviderTime(-1403249482, UTC)).toBeNull();
			expect(parseProviderTime('0', UTC)).toBeNull();
		});
	});

	it.each([
		['empty', ''],
		['blank', '   '],
		['null', null],
		['undefined', undefined],
	])('returns null (not set) for %s', (_label, input) => {
		expect(parseProviderTime(input, UTC)).toBeNull();
	});

	// A value that is there but is not a time as documented is a malformed answer, never null and never a guess.
	it.each([
		['boolean', true],
		['object', { time: '2024-01-10T17:21:25Z' }],
		['garbage', 'yesterday'],
		['date only', '2024-01-10'],
		['slashes', '2024/01/10 17:21:25'],
		['impossible month', '2024-13-10T17:21:25Z'],
		['impossible day (spaced)', '2024-02-30 10:00:00'],
		['impossible hour', '2024-01-10T25:00:00'],
		['too few digits for seconds', '12345678'],
		['too many digits for seconds', '140324948200000'],
		['NaN', NaN],
		['Infinity', Infinity],
		['a time followed by junk', '2024-01-10T17:21:25Zjunk'],
		['epoch milliseconds as a number (year 55996 if read as seconds)', 1704900000000],
		['epoch milliseconds as text', '1704900000000'],
		['a year before 2000', '1999-12-31T23:59:59Z'],
	])('is a malformed answer for %s', (_label, input) => {
		expect(() => parseProviderTime(input, UTC)).toThrow(MalformedAnswerError);
	});

	it('refuses a zone that is not a zone instead of inventing a time', () => {
		expect(() => parseProviderTime('2017-02-08 16:46:34', 'Not/AZone')).toThrow(MalformedAnswerError);
	});
});

describe('parseUnixSeconds', () => {
	it('reads numbers and digit strings', () => {
		expect(parseUnixSeconds(1704900000)).toBe('2024-01-10T15:20:00Z');
		expect(parseUnixSeconds('1704900000')).toBe('2024-01-10T15:20:00Z');
	});

	it.each([['0', '0'], ['zero', 0], ['negative', -1], ['empty', ''], ['null', null]])('returns null (not set) for %s', (_label, input) => {
		expect(parseUnixSeconds(input)).toBeNull();
	});

	it.each([['words', 'soon'], ['decimal string', '1.5'], ['NaN', NaN], ['milliseconds', 1704900000000], ['milliseconds as text', '1704900000000']])(
		'is a malformed answer for %s',
		(_label, input) => {
			expect(() => parseUnixSeconds(input)).toThrow(MalformedAnswerError);
		},
	);
});

describe('parseUserTime', () => {
	it('reads an ISO string with Z', () => {
		expect(parseUserTime('2026-11-20T00:00:00Z')?.toISO()).toBe('2026-11-20T00:00:00.000Z');
	});

	it('reads an ISO string with an offset and returns it in UTC', () => {
		const parsed = parseUserTime('2026-11-20T08:00:00+08:00');
		expect(parsed?.toISO()).toBe('2026-11-20T00:00:00.000Z');
		expect(parsed?.zoneName).toBe('UTC');
	});

	it('reads a zone-less ISO string in the given zone (UTC by default)', () => {
		expect(parseUserTime('2026-11-20T10:00:00')?.toISO()).toBe('2026-11-20T10:00:00.000Z');
		expect(parseUserTime('2026-11-20T10:00:00', CHINA_STANDARD_TIME)?.toISO()).toBe('2026-11-20T02:00:00.000Z');
	});

	it('reads a date-only ISO string as midnight', () => {
		expect(parseUserTime('2026-11-20')?.toISO()).toBe('2026-11-20T00:00:00.000Z');
	});

	it('reads `yyyy-MM-dd HH:mm:ss` in the given zone', () => {
		expect(parseUserTime('2026-11-20 10:00:00')?.toISO()).toBe('2026-11-20T10:00:00.000Z');
		expect(parseUserTime('2026-11-20 10:00:00', CHINA_STANDARD_TIME)?.toISO()).toBe('2026-11-20T02:00:00.000Z');
	});

	it('reads a luxon DateTime in any zone, as UTC', () => {
		const dt = DateTime.fromISO('2026-01-01T08:00:00', { zone: 'Asia/Shanghai' });
		const parsed = parseUserTime(dt);
		expect(parsed?.toISO()).toBe('2026-01-01T00:00:00.000Z');
		expect(parsed?.zoneName).toBe('UTC');
	});

	it('reads a JS Date', () => {
		expect(parseUserTime(new Date(Date.UTC(2026, 0, 1, 12, 30)))?.toISO()).toBe('2026-01-01T12:30:00.000Z');
	});

	it('reads epoch milliseconds (not seconds)', () => {
		expect(parseUserTime(1704900000000)?.toISO()).toBe('2024-01-10T15:20:00.000Z');
		expect(parseUserTime(0)?.toISO()).toBe('1970-01-01T00:00:00.000Z');
	});

	it.each([
		['undefined', undefined],
		['null', null],
		['empty string', ''],
		['blank string', '   '],
		['garbage', 'next tuesday'],
		['impossible date', '2026-02-30T00:00:00Z'],
		['invalid JS Date', new Date(NaN)],
		['invalid luxon DateTime', DateTime.invalid('test')],
		['NaN', NaN],
		['Infinity', Infinity],
		['out of range milliseconds', 1e20],
		['boolean', true],
		['object', { iso: '2026-11-20T00:00:00Z' }],
	])('returns null for %s', (_label, input) => {
		expect(parseUserTime(input)).toBeNull();
	});
});

describe('formatForProvider', () => {
	const instant = DateTime.fromISO('2026-11-20T23:45:30.999Z', { setZone: true });

	it('formats in UTC to the minute, the way Alibaba wants its range', () => {
		expect(formatForProvider(instant, "yyyy-MM-dd'T'HH:mm'Z'", UTC)).toBe('2026-11-20T23:45Z');
	});

	it('formats in Beijing time for Tencent (crossing the day)', () => {
		expect(formatForProvider(instant, 'yyyy-MM-dd HH:mm:ss', CHINA_STANDARD_TIME)).toBe('2026-11-21 07:45:30');
	});

	it('converts from the DateTime zone first', () => {
		const shanghai = DateTime.fromISO('2026-11-21T07:45:30', { zone: CHINA_STANDARD_TIME });
		expect(formatForProvider(shanghai, "yyyy-MM-dd'T'HH:mm:ss'Z'", UTC)).toBe('2026-11-20T23:45:30Z');
	});

	it('does not change the DateTime it was given', () => {
		formatForProvider(instant, 'yyyy', CHINA_STANDARD_TIME);
		expect(instant.toISO()).toBe('2026-11-20T23:45:30.999Z');
	});

	it('round-trips through parseProviderTime', () => {
		const text = formatForProvider(instant, 'yyyy-MM-dd HH:mm:ss', CHINA_STANDARD_TIME);
		expect(parseProviderTime(text, CHINA_STANDARD_TIME)).toBe('2026-11-20T23:45:30Z');
	});
});
