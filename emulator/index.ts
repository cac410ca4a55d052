/**
 * Local emulator of the clouds' managed-Redis backup APIs, for the workflow tests, the benchmarks and
 * `npm run demo`. One HTTP server per provider, each on its own port (the real clouds are different hosts too);
 * Alibaba (R-KVStore 2015-01-01) and Tencent Cloud (Redis 2018-04-12 and the legacy CRS API); UCloud plugs in the
 * same way: a ProviderServer subclass under emulator/<provider>/, a port option, and a line in start()/stop().
 */
import { systemClock, type Clock } from './common/clock';
import { AlibabaEmulator, DEFAULT_ALIBABA_ACCOUNT, type AlibabaSettings } from './alibaba/emulator';
import type { AlibabaAccount } from './alibaba/signature';
import type { ProviderServer } from './common/server';
import { DEFAULT_TENCENT_ACCOUNT, TencentEmulator, type TencentSettings } from './tencent/emulator';
import type { TencentAccount } from './tencent/signature';

export { ManualClock, SkewedClock, systemClock, type Clock } from './common/clock';
export { AlibabaEmulator, DEFAULT_ALIBABA_ACCOUNT, type AlibabaSettings, type FileRef } from './alibaba/emulator';
export type { AlibabaAccount } from './alibaba/signature';
export { FaultQueue, type FaultKind, type FaultSpec } from './common/faults';
export type { ProviderSettings, RangeMode, RequestLogEntry } from './common/server';
export { planRange, type ObjectStoreDialect, type RangePlan } from './common/downloads';
export type { EmulatedFile } from './common/files';
export { Crc64, crc64 } from './common/crc64';
export * from './alibaba/store';
export {
	DEFAULT_TENCENT_ACCOUNT,
	LEGACY_PATH as TENCENT_LEGACY_PATH,
	TencentEmulator,
	type TencentFileRef,
	type TencentSettings,
} from './tencent/emulator';
export type { TencentAccount } from './tencent/signature';
export {
	beijingTime,
	parseBeijingTime,
	TencentStore,
	type AddTencentBackupInput,
	type AddTencentInstanceInput,
	type StartTencentTaskInput,
	type TencentArchitecture,
	type TencentBackupRecord,
	type TencentBackupType,
	type TencentInstanceRecord,
	type TencentShardRecord,
	type TencentTaskOutcome,
	type TencentTaskRecord,
	type TencentTaskStatus,
} from './tencent/store';

export interface EmulatorOptions {
	/** Interface to listen on (default 127.0.0.1). */
	host?: string;
	/** Port of the Alibaba server (0 = any free port, the default). */
	alibabaPort?: number;
	/** Port of the Tencent Cloud server (0 = any free port, the default). */
	tencentPort?: number;
	/** Time source for signature windows, task progress and URL expiry (default Date.now; tests pass a ManualClock). */
	clock?: Clock;
	alibabaAccounts?: AlibabaAccount[];
	tencentAccounts?: TencentAccount[];
	/** Seed the demo instances and backups (default true). */
	seed?: boolean;
	alibabaSettings?: Partial<AlibabaSettings>;
	tencentSettings?: Partial<TencentSettings>;
}

export class CloudEmulator {
	readonly alibaba: AlibabaEmulator;
	readonly tencent: TencentEmulator;
	private readonly host: string;
	private readonly alibabaPort: number;
	private readonly tencentPort: number;

	constructor(opts: EmulatorOptions = {}) {
		this.host = opts.host ?? '127.0.0.1';
		this.alibabaPort = opts.alibabaPort ?? 0;
		this.tencentPort = opts.tencentPort ?? 0;
		this.alibaba = new AlibabaEmulator({
			clock: opts.clock ?? systemClock,
			accounts: opts.alibabaAccounts ?? [DEFAULT_ALIBABA_ACCOUNT],
			seed: opts.seed,
			settings: opts.alibabaSettings,
		});
		this.tencent = new TencentEmulator({
			clock: opts.clock ?? systemClock,
			accounts: opts.tencentAccounts ?? [DEFAULT_TENCENT_ACCOUNT],
			seed: opts.seed,
			settings: opts.tencentSettings,
		});
	}

	private get servers(): ProviderServer[] {
		return [this.alibaba, this.tencent];
	}

	async start(): Promise<void> {
		await this.alibaba.listen(this.host, this.alibabaPort);
		await this.tencent.listen(this.host, this.tencentPort);
	}

	async stop(): Promise<void> {
		await Promise.all(this.servers.map((s) => s.close()));
	}
}
