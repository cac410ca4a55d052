import { createHash, timingSafeEqual } from 'crypto';

import { Errors } from './errors';

/**
 * UCloud's API signature, checked independently of the node's signer (nodes/signing/): written here from UCloud's
 * signature page (docs.ucloud.cn/api/summary/signature) and tested against its published examples.
 *
 * Signature = hex(SHA-1(name1 value1 name2 value2 ... PrivateKey)): every request parameter but Signature (PublicKey
 * included), sorted by name (byte order: "CPU" before "ChargeType", as in the 2019 example), each name followed by
 * its value with no separator and no URL escaping, then the private key. Values: booleans `true`/`false`, floats
 * without a zero fraction (42.0 -> 42) and never in scientific notation. Nested JSON parameters are flattened the way
 * the SDKs' form encoding does (ucloud-sdk-python3 typesystem/encoder.py, ucloud-sdk-go encodeMapToForm): arrays as
 * `Key.N` from 0, objects as `Key.Sub`, so `{"UHostIds": ["a", "b"]}` signs as `UHostIds.0aUHostIds.1b`. There is no
 * timestamp and no nonce: a signed request stays valid forever, so there is no clock window to check.
 */

export interface UCloudAccount {
	publicKey: string;
	privateKey: string;
	/** Project IDs of the account; the first is the default project (requests without ProjectId). Default
	 * `['org-emulator']`. A ProjectId not in the list: RetCode 292. */
	projects?: readonly string[];
	/** IAM denies this account these actions (true: every action): RetCode 299 "IAM 权限校验未通过", as for a
	 * sub-account without the permission. */
	iamDenied?: boolean | readonly string[];
}

export const DEFAULT_PROJECT = 'org-emulator';

/** A number as UCloud signs it: integral values without a fraction, never in scientific notation. */
export function formatNumber(value: number): string {
	if (!Number.isFinite(value)) return String(value);
	if (Number.isInteger(value)) return BigInt(value).toString();
	const text = String(value);
	if (!/e/i.test(text)) return text;
	// 1.5e-7 -> 0.00000015: fixed notation, trailing zeros trimmed.
	return value.toFixed(20).replace(/0+$/, '').replace(/\.$/, '');
}

/** A scalar as UCloud signs and sends it. */
export function formatValue(value: unknown): string {
	if (typeof value === 'boolean') return value ? 'true' : 'false';
	if (typeof value === 'number') return formatNumber(value);
	return String(value);
}

/**
 * JSON parameters flattened to the names UCloud signs: `Key.N` for array items (from 0), `Key.Sub` for object
 * members, scalars formatted by formatValue; null and undefined are left out.
 */
export function flattenParams(params: Record<string, unknown>, prefix = '', out: Record<string, string> = {}): Record<string, string> {
	for (const [key, value] of Object.entries(params)) {
		const name = prefix ? `${prefix}.${key}` : key;
		if (value === null || value === undefined) continue;
		if (Array.isArray(value)) {
			value.forEach((item, i) => {
				if (item !== null && typeof item === 'object') flattenParams(item as Record<string, unknown>, `${name}.${i}`, out);
				else if (item !== null && item !== undefined) out[`${name}.${i}`] = formatValue(item);
			});
		} else if (typeof value === 'object') {
			flattenParams(value as Record<string, unknown>, name, out);
		} else {
			out[name] = formatValue(value);
		}
	}
	return out;
}

/** The string UCloud hashes: sorted `name + value` pairs (Signature left out), then the private key. */
export function stringToSign(params: Record<string, string>, privateKey: string): string {
	const names = Object.keys(params)
		.filter((name) => name !== 'Signature')
		// Byte order (UTF-16 code units), as the documented example sorts "CPU" before "ChargeType".
		.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
	return names.map((name) => `${name}${params[name]}`).join('') + privateKey;
}

/** UCloud's signature of flattened parameters: lower-case hex SHA-1 of stringToSign. */
export function ucloudSignature(params: Record<string, string>, privateKey: string): string {
	return createHash('sha1').update(stringToSign(params, privateKey), 'utf8').digest('hex');
}

function sameHex(a: string, b: string): boolean {
	const x = Buffer.from(a.toLowerCase());
	const y = Buffer.from(b.toLowerCase());
	return x.length === y.length && timingSafeEqual(x, y);
}

export function denied(account: UCloudAccount, action: string): boolean {
	const rule = account.iamDenied;
	return rule === true || (Array.isArray(rule) && rule.includes(action));
}

export interface UCloudAuthenticated {
	account: UCloudAccount;
	action: string;
	/** The project the request acts in: its ProjectId, or the account's default project. */
	projectId: string;
}

/**
 * A request checked as UCloud's gateway does, in this order: Action present (160), Signature present (170),
 * PublicKey known (172), signature (171), Action known (161), ProjectId (292), IAM (299). `candidates` are the
 * parameter sets the client may have signed (a POST's body, and the body with the query's extra parameters such as
 * the `?Action=` the Go SDK adds to the URL); the signature must match one of them.
 */
export function authenticate(
	action: string | undefined,
	candidates: ReadonlyArray<Record<string, string>>,
	accounts: ReadonlyMap<string, UCloudAccount>,
	knownActions: ReadonlySet<string>,
): UCloudAuthenticated {
	const params = candidates[0];
	if (!action) throw Errors.missingAction();
	const signature = candidates.map((c) => c.Signature).find((s) => s);
	if (!signature) throw Errors.missingSignature();
	const publicKey = candidates.map((c) => c.PublicKey).find((k) => k);
	const account = publicKey === undefined ? undefined : accounts.get(publicKey);
	if (!account) throw Errors.userNotFound();
	const ok = candidates.some((c) => c.PublicKey === publicKey && sameHex(ucloudSignature(c, account.privateKey), signature));
	if (!ok) throw Errors.signatureError();
	if (!knownActions.has(action)) throw Errors.actionNotFound(action);
	const projects = account.projects && account.projects.length > 0 ? account.projects : [DEFAULT_PROJECT];
	const projectId = params.ProjectId || projects[0];
	if (!projects.includes(projectId)) throw Errors.projectNotFound(projectId);
	if (denied(account, action)) throw Errors.iamDenied(action);
	return { account, action, projectId };
}
