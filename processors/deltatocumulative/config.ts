import { s, type Infer } from '../../src/config/schema.js';

export const configSchema = s.object({
  max_stale: s.duration().default('5m').describe('Forget a stream not seen for this long'),
  max_streams: s.int({ min: 0 }).default(0).describe('Streams tracked at most; points of further streams are dropped (0 = no limit)'),
});
export type Config = Infer<typeof configSchema>;
