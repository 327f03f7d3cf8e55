import { extensionFactory } from '../../src/component/component.js';
import { s, type Infer } from '../../src/config/schema.js';
import { BearerTokenAuth } from './extension.js';

export const configSchema = s.object({
  scheme: s.string().default('Bearer').describe('auth scheme before the token ("" = the bare token)'),
  token: s.secret(s.string()).optional().describe('static token'),
  filename: s.string().optional().describe('file holding the token (re-read when it changes); wins over token, as in the Collector'),
  header: s.string().default('Authorization').describe('header carrying the token'),
});
export type Config = Infer<typeof configSchema>;

export const factory = extensionFactory<Config>({
  type: 'bearertokenauth',
  description: 'Bearer-token authenticator: checks incoming requests (otlp receiver) or adds the token to outgoing ones',
  config: configSchema,
  validate: (c) => (c.token === undefined && c.filename === undefined ? ['set token or filename'] : []),
  create: (set, cfg) => new BearerTokenAuth(set, cfg),
});
