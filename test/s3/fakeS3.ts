/**
 * A small S3 server for the multipart tests, on 127.0.0.1: PutObject, HeadObject, CreateMultipartUpload, UploadPart,
 * CompleteMultipartUpload, AbortMultipartUpload and ListBuckets, path-style and virtual-hosted-style (by Host header), objects
 * and uploads kept in memory. It checks every request as S3 does:
 *  - the signature, recomputed by the AWS SDK's own signer (@smithy/signature-v4) from the request as it arrived
 *    (raw path, decoded query, the headers named in SignedHeaders), so the wire format is checked by a signer that
 *    shares no code with ours; the date within 15 minutes; the session token;
 *  - the body against x-amz-content-sha256 (XAmzContentSHA256Mismatch) unless UNSIGNED-PAYLOAD;
 *  - parts: 1..10000, every part but the last at least `minPartSize` (EntityTooSmall at Complete), part list in
 *    order with the ETags given (InvalidPartOrder, InvalidPart);
 *  - ETags as AWS computes them without SSE-KMS: MD5 of a part or object, MD5 of the parts' MD5s `-N` for a
 *    multipart object.
 * Faults on demand (`fault`): an HTTP error with an S3 code, a reset, a 200 with an <Error> body, a Complete carried
 * out whose answer is lost. It records every request and the highest number in flight at once.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

export interface FakeCredentials {
	accessKeyId: string;
	secretAccessKey: string;
	sessionToken?: string;
}

export interface RecordedRequest {
	action: string;
	method: string;
	url: string;
	host: string;
	partNumber?: number;
	bodyBytes: number;
	bodySha256: string;
	contentSha256: string;
	signedHeaders: string;
	status?: number;
}

export type FaultAction =
	| { status: number; code: string; message?: string; retryAfter?: string }
	| { reset: true }
	/** Complete: answer 200 with this error document (AWS's documented "200 then <Error>" case). */
	| { status200Error: string }
	/** Complete: carry it out, then drop the connection without an answer. */
	| { commitThenReset: true };

export type Fault = (request: RecordedRequest, index: number) => FaultAction | undefined;

interface Upload {
	bucket: string;
	key: string;
	contentType?: string;
	parts: Map<number, { bytes: Buffer; etag: string }>;
}

export interface StoredObject {
	bytes: Buffer;
	etag: string;
	contentType?: string;
	metadata: Record<string, string>;
}

const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

export class FakeS3 {
	readonly objects = new Map<string, StoredObject>();
	readonly uploads = new Map<string, Upload>();
	readonly requests: RecordedRequest[] = [];
	maxInFlight = 0;
	fault: Fault | undefined;
	minPartSize = 5 * 1024 * 1024;
	region = 'us-east-1';
	/** The server's clock for the 15-minute window (default: now). */
	now = () => Date.now();

	private inFlight = 0;
	private server: Server | undefined;
	private readonly sockets = new Set<Socket>();
	private nextUpload = 1;
	port = 0;

	constructor(private readonly credentials: FakeCredentials) {}

	get endpoint(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	async start(): Promise<void> {
		this.server = createServer((req, res) => {
			void this.handle(req, res);
		});
		this.server.on('connection', (socket) => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
		this.port = (this.server.address() as AddressInfo).port;
	}

	async stop(): Promise<void> {
		for (const socket of this.sockets) socket.destroy();
		await new Promise<void>((resolve) => this.server?.close(() => resolve()));
	}

	object(bucket: string, key: string): StoredObject | undefined {
		return this.objects.get(`${bucket}/${key}`);
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		this.inFlight++;
		this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
		try {
			const chunks: Buffer[] = [];
			for await (const chunk of req) chunks.push(chunk as Buffer);
			const body = Buffer.concat(chunks);
			await this.respond(req, res, body);
		} catch (error) {
			res.destroy(error as Error);
		} finally {
			this.inFlight--;
		}
	}

	private send(
		res: ServerResponse,
		status: number,
		headers: Record<string, string>,
		body = '',
	): void {
		res.writeHead(status, {
			...headers,
			'content-length': String(Buffer.byteLength(body)),
			'x-amz-request-id': 'REQ' + this.requests.length,
		});
		res.end(body);
	}

	private error(
		res: ServerResponse,
		status: number,
		code: string,
		message = code,
		extra = '',
	): void {
		this.send(
			res,
			status,
			{ 'content-type': 'application/xml' },
			`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>${extra}<RequestId>REQ${this.requests.length}</RequestId><HostId>fake</HostId></Error>`,
		);
	}

	private async respond(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
		const rawUrl = req.url ?? '/';
		const [rawPath, rawQuery = ''] = rawUrl.split('?', 2) as [string, string?];
		const query: Record<string, string | string[]> = {};
		for (const pair of rawQuery ? rawQuery.split('&') : []) {
			const [name, value = ''] = pair.split('=', 2) as [string, string?];
			const n = decodeURIComponent(name);
			const v = decodeURIComponent(value);
			const existing = query[n];
			query[n] = existing === undefined ? v : ([] as string[]).concat(existing, v);
		}
		const host = req.headers.host ?? '';
		// Virtual-hosted style: <bucket>.localhost:<port>; else path style /<bucket>/<key>.
		const virtual = /^([a-z0-9.-]+)\.localhost(?::\d+)?$/.exec(host);
		const segments = rawPath.split('/');
		const bucket = virtual ? virtual[1] : decodeURIComponent(segments[1] ?? '');
		const key = decodeURIComponent(virtual ? rawPath.slice(1) : segments.slice(2).join('/'));
		const method = req.method ?? 'GET';
		const action =
			method === 'POST' && 'uploads' in query
				? 'CreateMultipartUpload'
				: method === 'PUT' && 'partNumber' in query
					? 'UploadPart'
					: method === 'POST' && 'uploadId' in query
						? 'CompleteMultipartUpload'
						: method === 'DELETE' && 'uploadId' in query
							? 'AbortMultipartUpload'
							: method === 'PUT'
								? 'PutObject'
								: method === 'HEAD'
									? 'HeadObject'
									: method === 'GET'
										? 'GetObject'
										: 'Unknown';
		const contentSha256 = String(req.headers['x-amz-content-sha256'] ?? '');
		const authorization = String(req.headers.authorization ?? '');
		const signedHeaders = /SignedHeaders=([^,]+)/.exec(authorization)?.[1] ?? '';
		const record: RecordedRequest = {
			action,
			method,
			url: rawUrl,
			host,
			partNumber: 'partNumber' in query ? Number(query.partNumber) : undefined,
			bodyBytes: body.length,
			bodySha256: sha256(body),
			contentSha256,
			signedHeaders,
		};
		const index = this.requests.push(record) - 1;

		// Authentication, as S3 checks it.
		const date = String(req.headers['x-amz-date'] ?? '');
		const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date);
		if (!match) return this.error(res, 403, 'AccessDenied', 'no x-amz-date');
		const signingDate = new Date(
			Date.UTC(+match[1], +match[2] - 1, +match[3], +match[4], +match[5], +match[6]),
		);
		if (Math.abs(signingDate.getTime() - this.now()) > 15 * 60 * 1000) {
			return this.error(res, 403, 'RequestTimeTooSkewed');
		}
		if (!authorization.includes(`Credential=${this.credentials.accessKeyId}/`)) {
			return this.error(res, 403, 'InvalidAccessKeyId');
		}
		const headers: Record<string, string> = {};
		for (const name of signedHeaders.split(';')) {
			const value = req.headers[name];
			if (value === undefined)
				return this.error(res, 403, 'SignatureDoesNotMatch', `signed header ${name} missing`);
			headers[name] = Array.isArray(value) ? value.join(',') : value;
		}
		const [hostname, port] = host.split(':');
		const expected = await new SignatureV4({
			service: 's3',
			region: this.region,
			credentials: this.credentials,
			sha256: Sha256,
			uriEscapePath: false,
		}).sign(
			{
				method,
				protocol: 'http:',
				hostname,
				port: port ? Number(port) : undefined,
				path: rawPath,
				query,
				headers,
			},
			{ signingDate },
		);
		if (expected.headers.authorization !== authorization) {
			return this.error(
				res,
				403,
				'SignatureDoesNotMatch',
				'The request signature we calculated does not match the signature you provided',
			);
		}
		if (contentSha256 !== 'UNSIGNED-PAYLOAD' && contentSha256 !== sha256(body)) {
			return this.error(res, 400, 'XAmzContentSHA256Mismatch');
		}

		const fault = this.fault?.(record, index);
		if (fault && 'reset' in fault) {
			req.socket.destroy();
			return;
		}
		if (fault && 'status' in fault) {
			record.status = fault.status;
			if (fault.retryAfter) res.setHeader('retry-after', fault.retryAfter);
			return this.error(res, fault.status, fault.code, fault.message);
		}

		if (!bucket && action === 'GetObject') {
			// ListBuckets (GET /): what the bucket credential's test sends.
			record.action = 'ListBuckets';
			record.status = 200;
			const names = [...new Set([...this.objects.keys()].map((k) => k.split('/')[0]))];
			return this.send(
				res,
				200,
				{ 'content-type': 'application/xml' },
				`<?xml version="1.0" encoding="UTF-8"?>\n<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>fake</ID></Owner><Buckets>${names.map((n) => `<Bucket><Name>${escape(n)}</Name></Bucket>`).join('')}</Buckets></ListAllMyBucketsResult>`,
			);
		}
		if (!bucket) return this.error(res, 400, 'InvalidBucketName');
		record.status = 200;
		switch (action) {
			case 'PutObject': {
				const etag = md5(body);
				this.objects.set(`${bucket}/${key}`, {
					bytes: body,
					etag,
					contentType: req.headers['content-type'],
					metadata: metadataOf(req),
				});
				return this.send(res, 200, { etag: `"${etag}"` });
			}
			case 'HeadObject': {
				const object = this.objects.get(`${bucket}/${key}`);
				if (!object) {
					record.status = 404;
					res.writeHead(404, { 'x-amz-request-id': 'REQ' });
					return void res.end();
				}
				res.writeHead(200, {
					etag: `"${object.etag}"`,
					'content-length': String(object.bytes.length),
				});
				return void res.end();
			}
			case 'CreateMultipartUpload': {
				const uploadId = `upload~${this.nextUpload++}/+x`;
				this.uploads.set(uploadId, {
					bucket,
					key,
					contentType: req.headers['content-type'],
					parts: new Map(),
				});
				return this.send(
					res,
					200,
					{ 'content-type': 'application/xml' },
					`<?xml version="1.0" encoding="UTF-8"?>\n<InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>${bucket}</Bucket><Key>${escape(key)}</Key><UploadId>${escape(uploadId)}</UploadId></InitiateMultipartUploadResult>`,
				);
			}
			case 'UploadPart': {
				const upload = this.uploads.get(String(query.uploadId));
				if (!upload || upload.bucket !== bucket || upload.key !== key)
					return this.error(res, 404, 'NoSuchUpload');
				const partNumber = Number(query.partNumber);
				if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10000)
					return this.error(res, 400, 'InvalidArgument');
				const etag = md5(body);
				upload.parts.set(partNumber, { bytes: body, etag });
				return this.send(res, 200, { etag: `"${etag}"` });
			}
			case 'CompleteMultipartUpload': {
				const uploadId = String(query.uploadId);
				const upload = this.uploads.get(uploadId);
				if (!upload || upload.bucket !== bucket || upload.key !== key)
					return this.error(res, 404, 'NoSuchUpload');
				if (fault && 'status200Error' in fault) {
					res.writeHead(200, { 'content-type': 'application/xml' });
					res.write('<?xml version="1.0" encoding="UTF-8"?>\n\n');
					return void setTimeout(
						() =>
							res.end(
								`<Error><Code>${fault.status200Error}</Code><Message>We encountered an internal error. Please try again.</Message><RequestId>R</RequestId></Error>`,
							),
						5,
					);
				}
				const xml = body.toString('utf8');
				const listed = [
					...xml.matchAll(/<Part><PartNumber>(\d+)<\/PartNumber><ETag>([^<]*)<\/ETag><\/Part>/g),
				].map((m) => ({
					partNumber: Number(m[1]),
					etag: m[2].replace(/&quot;/g, '"'),
				}));
				if (
					!/^<\?xml[^>]*\?><CompleteMultipartUpload xmlns="http:\/\/s3\.amazonaws\.com\/doc\/2006-03-01\/">/.test(
						xml,
					) ||
					listed.length === 0
				) {
					return this.error(res, 400, 'MalformedXML');
				}
				const pieces: Buffer[] = [];
				const md5s: Buffer[] = [];
				for (let i = 0; i < listed.length; i++) {
					const item = listed[i];
					if (i > 0 && item.partNumber <= listed[i - 1].partNumber)
						return this.error(res, 400, 'InvalidPartOrder');
					const part = upload.parts.get(item.partNumber);
					if (!part || `"${part.etag}"` !== item.etag) return this.error(res, 400, 'InvalidPart');
					if (i < listed.length - 1 && part.bytes.length < this.minPartSize)
						return this.error(res, 400, 'EntityTooSmall');
					pieces.push(part.bytes);
					md5s.push(Buffer.from(part.etag, 'hex'));
				}
				const etag = `${md5(Buffer.concat(md5s))}-${listed.length}`;
				this.objects.set(`${bucket}/${key}`, {
					bytes: Buffer.concat(pieces),
					etag,
					contentType: upload.contentType,
					metadata: {},
				});
				this.uploads.delete(uploadId);
				if (fault && 'commitThenReset' in fault) {
					req.socket.destroy();
					return;
				}
				res.writeHead(200, { 'content-type': 'application/xml' });
				// S3 sends the headers at once and white space while it assembles the object.
				res.write('<?xml version="1.0" encoding="UTF-8"?>\n');
				return void setTimeout(
					() =>
						res.end(
							`<CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Location>http://${host}${rawPath}</Location><Bucket>${bucket}</Bucket><Key>${escape(key)}</Key><ETag>&quot;${etag}&quot;</ETag></CompleteMultipartUploadResult>`,
						),
					5,
				);
			}
			case 'AbortMultipartUpload': {
				const uploadId = String(query.uploadId);
				if (!this.uploads.delete(uploadId)) return this.error(res, 404, 'NoSuchUpload');
				res.writeHead(204, {});
				return void res.end();
			}
			default:
				return this.error(res, 405, 'MethodNotAllowed');
		}
	}
}

function escape(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function metadataOf(req: IncomingMessage): Record<string, string> {
	const metadata: Record<string, string> = {};
	for (const [name, value] of Object.entries(req.headers)) {
		if (name.startsWith('x-amz-meta-')) metadata[name.slice(11)] = String(value);
	}
	return metadata;
}
