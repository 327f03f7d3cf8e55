import { readFile } from 'node:fs/promises';
import { promises as dns } from 'node:dns';
import { arch, hostname, release, type } from 'node:os';
import type { Attributes } from '../../src/pdata/types.js';
import type { Config } from './config.js';
import { MACHINE_ID_FILES, parseResourceEnv } from '../../src/resource/host.js';

// The SDKs' parsing of OTEL_RESOURCE_ATTRIBUTES is shared with the receivers' host identity.
export { parseResourceEnv };

const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ia32: 'x86', arm: 'arm32', ppc64: 'ppc64', s390x: 's390x', ppc: 'ppc32' };
const OS_TYPE: Record<string, string> = { linux: 'linux', darwin: 'darwin', win32: 'windows', freebsd: 'freebsd', openbsd: 'openbsd', sunos: 'solaris', aix: 'aix' };

async function readFirst(paths: string[]): Promise<string | undefined> {
  for (const p of paths) {
    try {
      const v = (await readFile(p, 'utf8')).trim();
      if (v) return v;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

/** The fully qualified name of this host as DNS resolves it. */
async function fqdn(): Promise<string | undefined> {
  const h = hostname();
  const { address } = await dns.lookup(h);
  const { hostname: name } = await dns.lookupService(address, 0);
  // Loopback resolves to "localhost" on many hosts: that is not this host's name.
  if (!name || name === 'localhost' || name.startsWith('localhost.')) return undefined;
  return name.includes('.') || name === h ? name : undefined;
}

async function osDescription(): Promise<string> {
  const rel = await readFirst(['/etc/os-release', '/usr/lib/os-release']);
  const pretty = rel && /^PRETTY_NAME="?([^"\n]*)"?/m.exec(rel)?.[1];
  const kernel = `${type()} ${release()}`;
  return pretty ? `${pretty} (${kernel})` : kernel;
}

export async function detectSystem(cfg: Config['system']): Promise<{ attrs: Attributes; errors: string[] }> {
  const on = cfg.resource_attributes;
  const attrs: Attributes = {};
  const errors: string[] = [];
  if (on['host.name'].enabled) {
    for (const src of cfg.hostname_sources) {
      try {
        const name = src === 'os' ? hostname() : await fqdn();
        if (name) {
          attrs['host.name'] = name;
          break;
        }
      } catch (e) {
        errors.push(`hostname source ${src}: ${(e as Error).message}`);
      }
    }
    if (!('host.name' in attrs)) errors.push('no hostname source gave a name');
  }
  if (on['host.id'].enabled) {
    const id = await readFirst(MACHINE_ID_FILES);
    if (id) attrs['host.id'] = id;
    else errors.push('host.id: /etc/machine-id not readable');
  }
  if (on['host.arch'].enabled) attrs['host.arch'] = ARCH[arch()] ?? arch();
  if (on['os.type'].enabled) attrs['os.type'] = OS_TYPE[process.platform] ?? process.platform;
  if (on['os.description'].enabled) attrs['os.description'] = await osDescription();
  return { attrs, errors };
}

/** Run the configured detectors; earlier detectors win when two set the same key. */
export async function detect(cfg: Config, env = process.env): Promise<{ attrs: Attributes; errors: string[] }> {
  const attrs: Attributes = {};
  const errors: string[] = [];
  for (const d of cfg.detectors) {
    const r = d === 'env' ? parseResourceEnv(env.OTEL_RESOURCE_ATTRIBUTES) : await detectSystem(cfg.system);
    errors.push(...r.errors.map((e) => `${d}: ${e}`));
    for (const [k, v] of Object.entries(r.attrs)) if (!(k in attrs)) attrs[k] = v;
  }
  return { attrs, errors };
}
