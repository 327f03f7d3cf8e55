import { extensionFactory } from '../../src/component/component.js';
import { s, type Infer } from '../../src/config/schema.js';
import { HeadersSetter } from './extension.js';

const headerSchema = s.object({
  key: s.string(),
  action: s.enum(['insert', 'update', 'upsert', 'delete'] as const).default('upsert'),
  value: s.secret(s.string()).optional().describe('static value'),
  from_context: s.ignored('request metadata does not reach exporters in telemd (the otlp receiver does not propagate include_metadata); default_value is sent instead'),
  default_value: s.secret(s.string()).optional().describe('the value when the request metadata has none (always, in telemd)'),
});

export const configSchema = s.object({ headers: s.array(headerSchema) });
export type Config = Infer<typeof configSchema>;

export const factory = extensionFactory<Config>({
  type: 'headers_setter',
  description: 'Client authenticator that sets, updates or deletes request headers of exporters',
  config: configSchema,
  validate: (c) => {
    const e: string[] = [];
    if (c.headers.length === 0) e.push('headers: list at least one header');
    c.headers.forEach((h, i) => {
      if (h.action !== 'delete' && h.value === undefined && h.default_value === undefined) e.push(`headers[${i}] (${h.key}): set value (or from_context with default_value)`);
      if (h.value !== undefined && h.default_value !== undefined) e.push(`headers[${i}] (${h.key}): value and default_value are mutually exclusive`);
    });
    return e;
  },
  create: (_set, cfg) => new HeadersSetter(cfg),
});
