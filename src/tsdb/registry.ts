// The history stores open in this agent, by the id of the component that owns them, so that
// other components (the console's Prometheus API, alert and SLO rules) can query them without
// importing the exporter. Look a store up when a request comes in: a reload replaces it.
import type { Tsdb } from './store.js';

const stores = new Map<string, Tsdb>();

/** Called by the owner once the store is open; the returned function unregisters it. */
export function registerStore(id: string, store: Tsdb): () => void {
  if (stores.has(id) && stores.get(id) !== store) throw new Error(`a history store is already registered as ${id}`);
  stores.set(id, store);
  return () => {
    if (stores.get(id) === store) stores.delete(id);
  };
}

/** The store of a component id (e.g. `history`, `history/long`), if it is running. */
export function storeFor(id: string): Tsdb | undefined {
  return stores.get(id);
}

/** Every open store, ordered by id. */
export function openStores(): { id: string; store: Tsdb }[] {
  return [...stores].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([id, store]) => ({ id, store }));
}
