import { s, type Infer } from '../../src/config/schema.js';
import { metricTogglesSchema } from '../../src/checks/metrics.js';
import { DEFS } from './metrics.js';

/** A unit name or a glob as systemctl takes them (fnmatch: * ? [set]); malformed ones refused at their position. */
const unitPattern = s.refine(s.string(), (v) => {
  if (v.trim() === '') return 'an empty unit pattern';
  if (/\s/.test(v)) return `unit pattern ${JSON.stringify(v)} contains whitespace`;
  let depth = 0;
  for (let i = 0; i < v.length; i++) {
    if (v[i] === '\\') i++;
    else if (v[i] === '[') {
      if (depth) return `unit pattern ${JSON.stringify(v)}: "[" inside a set`;
      depth = 1;
    } else if (v[i] === ']' && depth) depth = 0;
  }
  if (depth) return `unit pattern ${JSON.stringify(v)}: unclosed "["`;
  if (!/[*?[]/.test(v) && !/\.(service|socket|target|device|mount|automount|swap|timer|path|slice|scope)$/.test(v))
    return `unit ${JSON.stringify(v)} has no unit type suffix (e.g. ${v}.service) and no glob`;
  return undefined;
});

export const configSchema = s.object({
  collection_interval: s.duration({ min: 100 }).default('60s'),
  initial_delay: s.duration().default('1s'),
  scope: s.enum(['system', 'user'] as const).default('system').describe('the system manager, or the user manager of the user telemd runs as'),
  units: s.array(unitPattern).default([]).describe('unit names or globs (systemctl list-units patterns), e.g. ["nginx.service", "*.timer"]'),
  dbus_address: s.string().optional().describe('telemd: the bus address (default: DBUS_SYSTEM_BUS_ADDRESS or /run/dbus/system_bus_socket; for user: DBUS_SESSION_BUS_ADDRESS or $XDG_RUNTIME_DIR/bus)'),
  timeout: s.duration({ min: 10 }).default('5s').describe('telemd: per D-Bus call'),
  metrics: metricTogglesSchema(DEFS),
});
export type Config = Infer<typeof configSchema>;
