/**
 * s3rver (@20minutes/s3rver, the devDependency the contract tests use) in a process of its own, started by
 * ./s3.ts's startS3rver: `<directory> <bucket>` on the command line, 127.0.0.1 and a free port. Its own process keeps
 * its memory out of the benchmark's RSS and lets it use the second core. Over IPC it sends `{ type: 'ready', port }`,
 * answers `{ type: 'cpu', id }` with its CPU seconds so far, and stops on `{ type: 'close' }` or when the parent goes.
 */
interface S3rverServer {
	run(): Promise<{ port: number }>;
	close(): Promise<void>;
}
type S3rverClass = new (options: {
	address: string;
	port: number;
	silent: boolean;
	directory: string;
	configureBuckets: Array<{ name: string }>;
}) => S3rverServer;

// s3rver ships no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('@20minutes/s3rver') as S3rverClass;

type Message = { type: 'cpu'; id: number } | { type: 'close' };

async function main(): Promise<void> {
	const [directory, bucket] = process.argv.slice(2);
	if (!directory || !bucket || !process.send)
		throw new Error('usage: fork(s3rverProcess, [directory, bucket])');
	const server = new S3rver({
		address: '127.0.0.1',
		port: 0,
		silent: true,
		directory,
		configureBuckets: [{ name: bucket }],
	});
	const { port } = await server.run();
	const stop = () => void server.close().finally(() => process.exit(0));
	process.on('disconnect', stop);
	process.on('message', (message: Message) => {
		if (message.type === 'cpu') {
			const { user, system } = process.cpuUsage();
			process.send!({ type: 'cpu', id: message.id, seconds: (user + system) / 1e6 });
		} else if (message.type === 'close') {
			stop();
		}
	});
	process.send({ type: 'ready', port });
}

main().catch((error: unknown) => {
	console.error(error instanceof Error ? (error.stack ?? error.message) : error);
	process.exit(1);
});
