/**
 * Every cloud the contract suites run against. A cloud joins with its kit (`<cloud>.kit.ts`) and one line here.
 */
import { alibabaKit } from './alibaba.kit';
import type { CloudKit } from './kit';
import { tencentKit } from './tencent.kit';
import { ucloudKit } from './ucloud.kit';

export const CLOUDS: ReadonlyArray<[string, CloudKit]> = [alibabaKit, tencentKit, ucloudKit].map((kit) => [kit.label, kit] as [string, CloudKit]);
