import { s, type Infer } from '../../src/config/schema.js';

export const configSchema = s.object({
  rate: s.number({ min: 0 }).describe('Log records per second allowed per key'),
  burst: s.int({ min: 1 }).optional().describe('Records allowed at once after a quiet spell (default: rate, at least 1)'),
  keys: s.array(s.string()).default([]).describe('Attributes (record, then resource) whose values form the key; empty = one global limit'),
  max_keys: s.int({ min: 1 }).default(10000).describe('Keys tracked at most; further keys share one overflow limit'),
});
export type Config = Infer<typeof configSchema>;
