import {
	BACKUP_MODES,
	BACKUP_STATUSES,
	TERMINAL_STATUSES,
	DEFAULT_FILE_NAME,
	fileNameFromUrl,
	parseByteCount,
	parsePercent,
	safeFileName,
	sumSizes,
} from '../../nodes/common/model';

describe('parseByteCount', () => {
	it.each([
		[0, 0],
		[1024, 1024],
		[Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
		['0', 0],
		['2048', 2048],
		[' 1024 ', 1024],
		['007', 7],
		[String(Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER],
	])('reads %p as %p bytes', (input, expected) => {
		expect(parseByteCount(input)).toBe(expected);
	});

	it.each([
		['negative number', -1],
		['fractional number', 1.5],
		['NaN', NaN],
		['Infinity', Infinity],
		['unsafe integer', Number.MAX_SAFE_INTEGER + 1],
		['negative string', '-1'],
		['decimal string', '1.5'],
		['exponent string', '1e3'],
		['unit string', '10MB'],
		['hex string', '0x10'],
		['empty string', ''],
		['blank string', '   '],
		['unsafe integer string', '9007199254740993'],
		['null', null],
		['undefined', undefined],
		['boolean', true],
		['object', { size: 1 }],
		['array', [1]],
	])('returns null (unknown, never 0) for a %s', (_label, input) => {
		expect(parseByteCount(input)).toBeNull();
	});
});

describe('parsePercent', () => {
	it.each([
		['45%', 45],
		['45', 45],
		[45, 45],
		[' 45 % ', 45],
		['0', 0],
		['100%', 100],
		['12.5%', 12.5],
		[99.9, 99.9],
		[0, 0],
	])('reads %p as %p', (input, expected) => {
		expect(parsePercent(input)).toBe(expected);
	});

	it('clamps values above 100 to 100', () => {
		expect(parsePercent('150%')).toBe(100);
		expect(parsePercent(250)).toBe(100);
	});

	it.each([
		['negative number', -5],
		['negative string', '-5%'],
		['words', 'half'],
		['double percent', '45%%'],
		['empty', ''],
		['percent only', '%'],
		['null', null],
		['undefined', undefined],
		['object', {}],
		['NaN', NaN],
		['trailing dot', '45.'],
	])('returns null for a %s', (_label, input) => {
		expect(parsePercent(input)).toBeNull();
	});
});

describe('sumSizes', () => {
	it('adds the sizes of every file', () => {
		expect(sumSizes([{ sizeBytes: 1024 }, { sizeBytes: 2048 }, { sizeBytes: 0 }])).toBe(3072);
	});

	it('returns the one size of a single file', () => {
		expect(sumSizes([{ sizeBytes: 7 }])).toBe(7);
	});

	it('is unknown (null) when any file is unsized, not a partial sum', () => {
		expect(sumSizes([{ sizeBytes: 1024 }, { sizeBytes: null }])).toBeNull();
		expect(sumSizes([{ sizeBytes: null }])).toBeNull();
	});

	it('is unknown (null) for no files, not 0', () => {
		expect(sumSizes([])).toBeNull();
	});
});

describe('fileNameFromUrl', () => {
	it('takes the last path segment and ignores the query string', () => {
		expect(
			fileNameFromUrl(
				'http://rdsbakbucket-huhehaote-v2.oss-cn-huhehaote.aliyuncs.com/custins424747958/hins100322105_data_20240110012135.rdb?Expires=1704900000&Signature=abc',
			),
		).toBe('hins100322105_data_20240110012135.rdb');
	});

	it('decodes percent-encoded names', () => {
		expect(fileNameFromUrl('https://example.com/dir/hins1_data%2D1.rdb')).toBe('hins1_data-1.rdb');
	});

	it('makes the decoded name safe: spaces and other characters become _', () => {
		expect(fileNameFromUrl('https://example.com/dir/my%20backup%2B1.rdb')).toBe('my_backup_1.rdb');
	});

	it('never yields a path: an encoded traversal keeps only the base name', () => {
		expect(fileNameFromUrl('https://example.com/d/..%2F..%2F.ssh%2Fauthorized_keys')).toBe('authorized_keys');
		expect(fileNameFromUrl('https://example.com/d/..%5C..%5Cwin.ini')).toBe('win.ini');
	});

	it('returns null when nothing usable is left of the name', () => {
		expect(fileNameFromUrl('https://example.com/d/%2E%2E')).toBeNull();
		expect(fileNameFromUrl('https://example.com/d/..%2F')).toBeNull();
	});

	it('ignores a trailing slash and a fragment', () => {
		expect(fileNameFromUrl('https://example.com/a/b.rdb/')).toBe('b.rdb');
		expect(fileNameFromUrl('https://example.com/a/b.rdb#part')).toBe('b.rdb');
	});

	it.each([
		['null', null],
		['empty string', ''],
		['a URL without a path', 'https://example.com'],
		['a URL with only a slash', 'https://example.com/'],
		['a relative path (not a URL)', 'dir/file.rdb'],
		['garbage', 'not a url'],
	])('returns null for %s', (_label, input) => {
		expect(fileNameFromUrl(input)).toBeNull();
	});

	it('returns null for a malformed percent escape instead of throwing', () => {
		expect(fileNameFromUrl('https://example.com/bad%E0%A4%A.rdb')).toBeNull();
	});
});

describe('model vocabularies', () => {
	it('terminal statuses are the finished ones, all in the status vocabulary', () => {
		expect([...TERMINAL_STATUSES].sort()).toEqual(['deleted', 'expired', 'failed', 'succeeded']);
		for (const status of TERMINAL_STATUSES) expect(BACKUP_STATUSES).toContain(status);
		expect(TERMINAL_STATUSES.has('running')).toBe(false);
		expect(TERMINAL_STATUSES.has('pending')).toBe(false);
		expect(TERMINAL_STATUSES.has('unknown')).toBe(false);
	});

	it("both vocabularies have an 'unknown' value", () => {
		expect(BACKUP_STATUSES).toContain('unknown');
		expect(BACKUP_MODES).toContain('unknown');
	});
});

describe('safeFileName', () => {
	it('keeps a plain backup file name as it is', () => {
		expect(safeFileName('hins715707007_data_20261123104730.rdb')).toBe('hins715707007_data_20261123104730.rdb');
		expect(safeFileName('r-bp1_cb-x.y-z.rdb')).toBe('r-bp1_cb-x.y-z.rdb');
	});

	it.each([
		['../../.ssh/authorized_keys', 'authorized_keys'],
		['/etc/passwd', 'passwd'],
		['..\\..\\Windows\\win.ini', 'win.ini'],
		['a\\b:*.rdb', 'b__.rdb'],
		['C:\\backups\\x?.rdb', 'x_.rdb'],
		['dir/', 'backup.rdb'],
	])('takes only the base name of a path: %p -> %p', (input, expected) => {
		expect(safeFileName(input)).toBe(expected);
	});

	it('replaces anything but A-Z a-z 0-9 . _ - with _', () => {
		expect(safeFileName('备份 2026:11.rdb')).toBe('___2026_11.rdb');
		expect(safeFileName('caf\u00e9\u0000\n"<>|.rdb')).toBe('caf_______.rdb');
		expect(safeFileName('emoji-\u{1F600}.rdb')).toBe('emoji-__.rdb');
	});

	it('drops leading dots: no hidden files, no . or ..', () => {
		expect(safeFileName('.bashrc')).toBe('bashrc');
		expect(safeFileName('...rdb')).toBe('rdb');
		expect(safeFileName('a..b.rdb')).toBe('a..b.rdb');
	});

	it.each([
		['empty', ''],
		['only dots', '..'],
		['a lone dot', '.'],
		['a path ending in a separator', '../../'],
		['null', null],
		['undefined', undefined],
		['an object', { name: 'x.rdb' }],
	])('is never empty: %s gives the fallback', (_label, input) => {
		expect(safeFileName(input, 'r-abc_123.rdb')).toBe('r-abc_123.rdb');
		expect(safeFileName(input)).toBe(DEFAULT_FILE_NAME);
	});

	it('makes the fallback safe too, and falls back to backup.rdb when even that is empty', () => {
		expect(safeFileName('', '../x y.rdb')).toBe('x_y.rdb');
		expect(safeFileName('', '..')).toBe('backup.rdb');
	});

	it('reads a number as its digits', () => {
		expect(safeFileName(42)).toBe('42');
	});
});
