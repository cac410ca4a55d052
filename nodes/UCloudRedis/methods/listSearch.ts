import { instanceSearch } from '../../common/connect';
import { createProvider, resolveRegion } from '../transport/connect';

/** The instance picker: the URedis groups of the node's region, filtered by ID or name, page by page. */
export const searchInstances = instanceSearch(createProvider, resolveRegion);
