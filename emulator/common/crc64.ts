/**
 * The emulator computes the CRC-64/ECMA-182 it sends in x-oss-hash-crc64ecma with the node's own implementation:
 * one home for the algorithm (nodes/common/crc64.ts), tested there against an independent reference.
 */
export { Crc64, crc64 } from '../../nodes/common/crc64';
