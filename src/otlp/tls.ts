// TLS settings with the Collector's configtls key names, shared by the OTLP receiver and exporters.
import { readFileSync } from 'node:fs';
import { s, type Infer } from '../config/schema.js';

export const serverTlsSchema = s
  .object({
    cert_file: s.string().describe('server certificate (PEM)'),
    key_file: s.string().describe('server private key (PEM)'),
    client_ca_file: s.string().optional().describe('CA for client certificates: set it to require mTLS'),
    min_version: s.enum(['1.2', '1.3'] as const).default('1.2'),
  })
  .optional()
  .describe('serve TLS instead of plaintext');
export type ServerTls = NonNullable<Infer<typeof serverTlsSchema>>;

export const clientTlsSchema = s.object({
  insecure: s.boolean().default(false).describe('plaintext (no TLS); gRPC only, HTTP follows the URL scheme'),
  insecure_skip_verify: s.boolean().default(false).describe('do not verify the server certificate'),
  ca_file: s.string().optional().describe('CA to verify the server (PEM); default: system roots'),
  cert_file: s.string().optional().describe('client certificate for mTLS (PEM)'),
  key_file: s.string().optional().describe('client private key for mTLS (PEM)'),
  server_name_override: s.string().optional(),
  min_version: s.enum(['1.2', '1.3'] as const).default('1.2'),
});
export type ClientTls = Infer<typeof clientTlsSchema>;

export interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

function read(path: string | undefined, what: string): Buffer | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path);
  } catch (e) {
    throw new Error(`cannot read TLS ${what} ${path}: ${(e as Error).message}`);
  }
}

export function loadServerTls(t: ServerTls): TlsMaterial {
  return { cert: read(t.cert_file, 'cert_file'), key: read(t.key_file, 'key_file'), ca: read(t.client_ca_file, 'client_ca_file') };
}

export function loadClientTls(t: Pick<ClientTls, 'ca_file' | 'cert_file' | 'key_file'>): TlsMaterial {
  return { ca: read(t.ca_file, 'ca_file'), cert: read(t.cert_file, 'cert_file'), key: read(t.key_file, 'key_file') };
}

export const tlsMinVersion = (v: '1.2' | '1.3'): 'TLSv1.2' | 'TLSv1.3' => (v === '1.3' ? 'TLSv1.3' : 'TLSv1.2');
