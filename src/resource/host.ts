// Which host a series came from, without any processor: every receiver that reports on this
// machine (hostmetrics, ipc, statsd, filelog, journald, the check receivers) builds its resource
// with hostResource(). host.name is the kernel hostname and host.id the systemd machine id
// (/etc/machine-id, then /var/lib/dbus/machine-id), as the Collector's system detector reads
// them; OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME go on top the way the OpenTelemetry SDKs
// apply them (the env wins over what was detected; OTEL_SERVICE_NAME wins over service.name in
// OTEL_RESOURCE_ATTRIBUTES). The `resource` processor still changes what it is told to later.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Attributes } from '../pdata/types.js';

/** OTEL_RESOURCE_ATTRIBUTES: comma-separated key=value pairs, values percent-encoded (SDK spec). */
export function parseResourceEnv(text: string | undefined): { attrs: Attributes; errors: string[] } {
  const attrs: Attributes = {};
  const errors: string[] = [];
  if (!text) return { attrs, errors };
  let n = 0;
  for (const pair of text.split(',')) {
    n++;
    if (pair.trim() === '') continue;
    const i = pair.indexOf('=');
    const k = i < 0 ? '' : pair.slice(0, i).trim();
    if (!k) {
      // Values may be sensitive: name the position, not the text.
      errors.push(`ignoring entry ${n}: expected key=value`);
      continue;
    }
    const raw = pair.slice(i + 1).trim();
    try {
      attrs[k] = decodeURIComponent(raw);
    } catch {
      errors.push(`ignoring value of ${k}: invalid percent-encoding`);
    }
  }
  return { attrs, errors };
}

export const MACHINE_ID_FILES = ['/etc/machine-id', '/var/lib/dbus/machine-id'];

export function readMachineId(files = MACHINE_ID_FILES): string | undefined {
  for (const f of files) {
    try {
      const id = readFileSync(f, 'utf8').trim();
      if (id) return id;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

export interface HostIdentity {
  /** host.name, host.id (when readable), then the environment's attributes on top. */
  attributes: Readonly<Attributes>;
  /** What could not be used (an unreadable machine id, malformed OTEL_RESOURCE_ATTRIBUTES entries). */
  problems: string[];
}

export function detectHostIdentity(env: NodeJS.ProcessEnv = process.env, machineIdFiles = MACHINE_ID_FILES): HostIdentity {
  const attrs: Attributes = {};
  const problems: string[] = [];
  const name = hostname();
  if (name) attrs['host.name'] = name;
  else problems.push('the kernel hostname is empty');
  const id = readMachineId(machineIdFiles);
  if (id) attrs['host.id'] = id;
  else problems.push(`host.id: none of ${machineIdFiles.join(', ')} is readable`);
  const fromEnv = parseResourceEnv(env.OTEL_RESOURCE_ATTRIBUTES);
  for (const e of fromEnv.errors) problems.push(`OTEL_RESOURCE_ATTRIBUTES: ${e}`);
  Object.assign(attrs, fromEnv.attrs);
  const service = env.OTEL_SERVICE_NAME?.trim();
  if (service) attrs['service.name'] = service;
  return { attributes: Object.freeze(attrs), problems };
}

let cached: HostIdentity | undefined;

/** This process's host identity, detected once (the environment does not change while running). */
export function hostIdentity(): HostIdentity {
  return (cached ??= detectHostIdentity());
}

/** Tests that change the environment in-process detect again. */
export function resetHostIdentity(): void {
  cached = undefined;
}

/**
 * A new resource attribute map for data about this host: the host identity, then `own` (what the
 * receiver itself knows: process.pid, a file's static `resource`, …) on top.
 */
export function hostResource(own?: Attributes): Attributes {
  return own ? { ...hostIdentity().attributes, ...own } : { ...hostIdentity().attributes };
}
