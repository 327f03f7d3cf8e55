import { s, type Infer } from '../../src/config/schema.js';

export const configSchema = s.object({
  endpoint: s.string().default('127.0.0.1:1777').describe('listen address (the Collector\'s default port, on loopback)'),
  token: s.secret(s.string()).optional().describe('when set, every request needs "Authorization: Bearer <token>" (required for non-loopback clients)'),
  save_to_file: s.string().optional().describe('profile the CPU from start to shutdown and write the profile here (.cpuprofile JSON)'),
  max_seconds: s.int({ min: 1, max: 3600 }).default(300).describe('longest CPU profile a request may ask for'),
  block_profile_fraction: s.ignored('a Go runtime setting; Node.js has no block profile'),
  mutex_profile_fraction: s.ignored('a Go runtime setting; Node.js has no mutex profile'),
});
export type Config = Infer<typeof configSchema>;
