/**
 * Local emulator of the clouds' managed-Redis backup APIs, for the workflow tests, the benchmarks and
 * `npm run demo`. One HTTP server per provider, each on its own port (the real clouds are different hosts too);
 * Alibaba (R-KVStore 2015-01-01), Tencent Cloud (Redis 2018-04-12 and the legacy CRS API) and UCloud (URedis, with
 * US3 downloads); each is a ProviderServer subclass under emulator/<provider>/ with a port option.
 */
import { systemClock, type Clock } from './common/clock';
import { AlibabaEmulator, DEFAULT_ALIBABA_ACCOUNT, type AlibabaSettings } from './alibaba/emulator';
import type { AlibabaAccount } from './alibaba/signature';
import type { ProviderServer } from './common/server';
import { DEFAULT_TENCENT_ACCOUNT, TencentEmulator, type TencentSettings } from './tencent/emulator';
import type { TencentAccount } from './tencent/signature';
import { DEFAULT_UCLOUD_ACCOUNT, UCloudEmulator, type UCloudSettings } from './ucloud/emulator';
import type { UCloudAccount } from './ucloud/signature';

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
export { DEFAULT_UCLOUD_ACCOUNT, UCloudEmulator, type UCloudFileRef, type UCloudSettings } from './ucloud/emulator';
export {
	DEFAULT_PROJECT as UCLOUD_DEFAULT_PROJECT,
	flattenParams as ucloudFlattenParams,
	stringToSign as ucloudStringToSign,
	ucloudSignature,
	type UCloudAccount,
} from './ucloud/signature';
export {
	AUTO_RETENTION_DAYS as UCLOUD_AUTO_RETENTION_DAYS,
	BACKUP_STEPS as UCLOUD_BACKUP_STEPS,
	UCLOUD_ZONES,
	UCloudStore,
	US3_BUCKET,
	type AddUCloudBackupInput,
	type AddUCloudGroupInput,
	type StartUCloudBackupInput,
	type UCloudBackupOutcome,
	type UCloudBackupRecord,
	type UCloudGroupRecord,
	type URedisBackupState,
	type URedisBackupType,
	type URedisGroupState,
} from './ucloud/store';
export { BACKUP_NAME as UCLOUD_BACKUP_NAME } from './ucloud/api';
export { US3_BLOCK, US3_ERRORS, Us3Etag, us3UrlSignature } from './ucloud/us3';

export interface EmulatorOptions {
	/** Interface to listen on (default 127.0.0.1). */
	host?: string;
	/** Port of the Alibaba server (0 = any free port, the default). */
	alibabaPort?: number;
	/** Port of the Tencent Cloud server (0 = any free port, the default). */
	tencentPort?: number;
	/** Port of the UCloud server (0 = any free port, the default). */
	ucloudPort?: number;
	/** Time source for signature windows, task progress and URL expiry (default Date.now; tests pass a ManualClock). */
	clock?: Clock;
	alibabaAccounts?: AlibabaAccount[];
	tencentAccounts?: TencentAccount[];
	ucloudAccounts?: UCloudAccount[];
	/** Seed the demo instances and backups (default true). */
	seed?: boolean;
	alibabaSettings?: Partial<AlibabaSettings>;
	tencentSettings?: Partial<TencentSettings>;
	ucloudSettings?: Partial<UCloudSettings>;
}

export class CloudEmulator {
	readonly alibaba: AlibabaEmulator;
	readonly tencent: TencentEmulator;
	readonly ucloud: UCloudEmulator;
	private readonly host: string;
	private readonly alibabaPort: number;
	private readonly tencentPort: number;
	private readonly ucloudPort: number;

	constructor(opts: EmulatorOptions = {}) {
		this.host = opts.host ?? '127.0.0.1';
		this.alibabaPort = opts.alibabaPort ?? 0;
		this.tencentPort = opts.tencentPort ?? 0;
		this.ucloudPort = opts.ucloudPort ?? 0;
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
		this.ucloud = new UCloudEmulator({
			clock: opts.clock ?? systemClock,
			accounts: opts.ucloudAccounts ?? [DEFAULT_UCLOUD_ACCOUNT],
			seed: opts.seed,
			settings: opts.ucloudSettings,
		});
	}

	private get servers(): ProviderServer[] {
		return [this.alibaba, this.tencent, this.ucloud];
	}

	async start(): Promise<void> {
		await this.alibaba.listen(this.host, this.alibabaPort);
		await this.tencent.listen(this.host, this.tencentPort);
		await this.ucloud.listen(this.host, this.ucloudPort);
	}

	async stop(): Promise<void> {
		await Promise.all(this.servers.map((s) => s.close()));
	}
}
