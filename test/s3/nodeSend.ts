/**
 * An S3Send over Node's http client, for tests: the URL's path and query go on the request line exactly as signed,
 * the body with its Content-Length, the whole answer read. `connectTo` sends to another address than the URL's host
 * while keeping its Host header (virtual-hosted style against a server on 127.0.0.1).
 */
import { request as httpRequest } from 'node:http';

import type { S3HttpResponse, S3Send } from '../../nodes/common/s3/multipart';

export function nodeSend(options: { connectTo?: { host: string; port: number } } = {}): S3Send {
	return (request, signal) =>
		new Promise<S3HttpResponse>((resolve, reject) => {
			const match = /^(https?):\/\/([^/]+)(\/.*)?$/.exec(request.url);
			if (!match || match[1] !== 'http') {
				reject(new Error(`nodeSend speaks plain http only: ${request.url}`));
				return;
			}
			const host = match[2];
			const [hostname, port] = host.startsWith('[')
				? [host.slice(1, host.indexOf(']')), host.slice(host.indexOf(']') + 2)]
				: host.split(':');
			// A view, not a copy: the engine's part buffer goes to the socket as it is.
			const body =
				request.body === undefined
					? undefined
					: typeof request.body === 'string'
						? Buffer.from(request.body, 'utf8')
						: Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength);
			const req = httpRequest({
				host: options.connectTo?.host ?? hostname,
				port: options.connectTo?.port ?? (port ? Number(port) : 80),
				method: request.method,
				path: match[3] ?? '/',
				headers: { ...request.headers, host, 'content-length': String(body?.length ?? 0) },
				signal,
				agent: false,
			});
			req.on('error', reject);
			req.on('response', (res) => {
				const chunks: Buffer[] = [];
				res.on('data', (chunk: Buffer) => chunks.push(chunk));
				res.on('error', reject);
				res.on('aborted', () =>
					reject(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })),
				);
				res.on('end', () => {
					if (!res.complete) {
						reject(Object.assign(new Error('The answer broke off'), { code: 'ECONNRESET' }));
						return;
					}
					resolve({
						statusCode: res.statusCode ?? 0,
						headers: res.headers,
						body: Buffer.concat(chunks),
					});
				});
			});
			req.end(body);
		});
}
