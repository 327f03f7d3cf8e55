import { extensionFactory } from '../../src/component/component.js';
import { s, type Infer } from '../../src/config/schema.js';
import { BasicAuth } from './extension.js';

export const configSchema = s.object({
  htpasswd: s
    .object({
      file: s.string().optional().describe('htpasswd file (bcrypt, {SHA} or plain lines)'),
      inline: s.secret(s.string()).optional().describe('htpasswd lines; win over the file for the same user'),
    })
    .optional()
    .describe('server side: who may send'),
  client_auth: s
    .object({
      username: s.string().optional(),
      username_file: s.string().optional().describe('wins over username; re-read when it changes'),
      password: s.secret(s.string()).optional(),
      password_file: s.string().optional().describe('wins over password; re-read when it changes'),
    })
    .optional()
    .describe('client side: the credentials to send'),
});
export type Config = Infer<typeof configSchema>;

export const factory = extensionFactory<Config>({
  type: 'basicauth',
  description: 'HTTP Basic authenticator: htpasswd users for the otlp receiver, or credentials for exporters',
  config: configSchema,
  validate: (c) => {
    if (c.htpasswd && c.client_auth) return ['set htpasswd (server side) or client_auth (client side), not both (one extension per side, as in the Collector)'];
    if (!c.htpasswd && !c.client_auth) return ['set htpasswd (server side) or client_auth (client side)'];
    if (c.htpasswd && c.htpasswd.file === undefined && c.htpasswd.inline === undefined) return ['htpasswd: set file or inline'];
    return [];
  },
  create: (set, cfg) => new BasicAuth(set, cfg),
});
