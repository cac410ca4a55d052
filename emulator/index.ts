/**
 * Local emulator of the clouds' managed-Redis backup APIs, for the workflow tests, the benchmarks and
 * `npm run demo`. One HTTP server per provider, each on its own port (the real clouds are different hosts too);
 * Alibaba (R-KVStore 2015-01-01) today, Tencent Cloud and UCloud plug in the same way: a ProviderServer subclass
 * under emulator/<provider>/, a port option, and a line in start()/stop().
 */
import { systemClock, type Clock } from './common/clock';
import { AlibabaEmulator, DEFAULT_ALIBABA_ACCOUNT, type AlibabaSettings } from './alibaba/emulator';
import type { AlibabaAccount } from './alibaba/signature';
import type { ProviderServer } from './common/server';

export { ManualClock, SkewedClock, systemClock, type Clock } from './common/clock';
export { AlibabaEmulator, DEFAULT_ALIBABA_ACCOUNT, type AlibabaSettings, type FileRef } from './alibaba/emulator';
export type { AlibabaAccount } from './alibaba/signature';
export { FaultQueue, type FaultKind, type FaultSpec } from './common/faults';
export type { ProviderSettings, RangeMode, RequestLogEntry } from './common/server';
export { planRange, type ObjectStoreDialect, type RangePlan } from './common/downloads';
export type { EmulatedFile } from './common/files';
export { Crc64, crc64 } from './common/crc64';
export * from './alibaba/store';

export interface EmulatorOptions {
	/** Interface to listen on (default 127.0.0.1). */
	host?: string;
	/** Port of the Alibaba server (0 = any free port, the default). */
	alibabaPort?: number;
	/** Time source for signature windows, task progress and URL expiry (default Date.now; tests pass a ManualClock). */
	clock?: Clock;
	alibabaAccounts?: AlibabaAccount[];
	/** Seed the demo instances and backups (default true). */
	seed?: boolean;
	alibabaSettings?: Partial<AlibabaSettings>;
}

export class CloudEmulator {
	readonly alibaba: AlibabaEmulator;
	private readonly host: string;
	private readonly alibabaPort: number;

	constructor(opts: EmulatorOptions = {}) {
		this.host = opts.host ?? '127.0.0.1';
		this.alibabaPort = opts.alibabaPort ?? 0;
		this.alibaba = new AlibabaEmulator({
			clock: opts.clock ?? systemClock,
			accounts: opts.alibabaAccounts ?? [DEFAULT_ALIBABA_ACCOUNT],
			seed: opts.seed,
			settings: opts.alibabaSettings,
		});
	}

	private get servers(): ProviderServer[] {
		return [this.alibaba];
	}

	async start(): Promise<void> {
		await this.alibaba.listen(this.host, this.alibabaPort);
	}

	async stop(): Promise<void> {
		await Promise.all(this.servers.map((s) => s.close()));
	}
}
