import { s, type Infer } from '../../src/config/schema.js';

export const configSchema = s.object({
  send_batch_size: s.int({ min: 0 }).default(8192).describe('items that trigger a send regardless of the timeout'),
  timeout: s.duration().default('200ms').describe('longest time an item waits before its batch is sent (0 = no wait)'),
  send_batch_max_size: s.int({ min: 0 }).default(0).describe('upper bound of a batch; 0 = no limit (larger inputs are split)'),
  // Keys of client metadata to batch by. telemd carries no client metadata (the otlp receiver
  // refuses include_metadata: true), so every value is empty and one batch is made, as the
  // Collector does for requests without metadata.
  metadata_keys: s.array(s.string()).default([]),
  metadata_cardinality_limit: s.int({ min: 0 }).default(1000),
});

export type Config = Infer<typeof configSchema>;
