export { Tsdb, DEFAULT_TIERS, checkTiers, type AppendSample, type FamilyMetadata, type AppendResult, type RefuseReason, type TierConfig, type TierStats, type TsdbOptions, type TsdbStats, type StoreLogger } from './store.js';
export { openStores, registerStore, storeFor } from './registry.js';
export type { SeriesKind } from './series.js';
