import { s, type Infer } from '../../src/config/schema.js';

const enabled = () => s.object({ enabled: s.boolean().default(true) });

export const SYSTEM_ATTRS = ['host.name', 'host.id', 'host.arch', 'os.type', 'os.description'] as const;

export const configSchema = s.object({
  detectors: s.array(s.enum(['env', 'system'] as const)).default(['env', 'system']).describe('Earlier detectors win on conflicts'),
  override: s.boolean().default(true).describe('Replace resource attributes that are already set'),
  timeout: s.duration().default('5s').describe('Time allowed for detection at start'),
  system: s.object({
    hostname_sources: s.array(s.enum(['dns', 'os'] as const)).default(['dns', 'os']),
    resource_attributes: s.object({
      'host.name': enabled(),
      'host.id': enabled(),
      'host.arch': enabled(),
      'os.type': enabled(),
      'os.description': enabled(),
    }),
  }),
});
export type Config = Infer<typeof configSchema>;
