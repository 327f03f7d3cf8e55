// A throwaway CA, server and client certificate (openssl CLI) for TLS/mTLS tests.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Certs {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

function ossl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

export function makeCerts(): Certs {
  const dir = mkdtempSync(join(tmpdir(), 'telemd-certs-'));
  ossl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=telemd-test-ca']);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  for (const who of ['server', 'client']) {
    ossl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', `/CN=${who === 'server' ? 'localhost' : 'telemd-client'}`]);
    const ext = who === 'server' ? ['-extfile', 'server.ext'] : [];
    ossl(dir, ['x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${who}.pem`, '-days', '2', ...ext]);
  }
  return {
    dir, ca: join(dir, 'ca.pem'), serverCert: join(dir, 'server.pem'), serverKey: join(dir, 'server.key'),
    clientCert: join(dir, 'client.pem'), clientKey: join(dir, 'client.key'),
  };
}
