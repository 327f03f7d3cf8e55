// Numbered OTLP traffic for end-to-end tests: every item carries a unique `seq`, so the far end
// can count what arrived (unique ids and duplicates).
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { decodeJson, encodeProto } from '../../src/otlp/index.js';
import type { LogsData, TracesData } from '../../src/pdata/types.js';

export function numberedLogs(from: number, n: number): LogsData {
  return {
    resourceLogs: [{
      resource: { attributes: { 'service.name': 'traffic' } },
      scopeLogs: [{
        scope: { name: 'traffic' },
        logRecords: Array.from({ length: n }, (_, i) => ({
          timeUnixNano: 1700000000000000000n + BigInt(from + i), observedTimeUnixNano: 0n, severityNumber: 9,
          body: `log line ${from + i}`, attributes: { seq: BigInt(from + i) },
        })),
      }],
    }],
  };
}

export function numberedSpans(from: number, n: number): TracesData {
  return {
    resourceSpans: [{
      resource: { attributes: { 'service.name': 'traffic' } },
      scopeSpans: [{
        scope: { name: 'traffic' },
        spans: Array.from({ length: n }, (_, i) => {
          const id = from + i;
          const spanId = new Uint8Array(8);
          new DataView(spanId.buffer).setUint32(4, id + 1);
          return {
            traceId: Uint8Array.from({ length: 16 }, (_, k) => k + 1), spanId, name: `op ${id}`, kind: 2 as const,
            startTimeUnixNano: 1n, endTimeUnixNano: 2n, attributes: { seq: BigInt(id) }, events: [], links: [], status: { code: 0 as const },
          };
        }),
      }],
    }],
  };
}

export async function postProto(url: string, body: Uint8Array): Promise<number> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
  await res.arrayBuffer();
  return res.status;
}

export const logsBody = (from: number, n: number) => encodeProto('logs', numberedLogs(from, n));
export const spansBody = (from: number, n: number) => encodeProto('traces', numberedSpans(from, n));

/** seq values found in OTLP JSON lines files (rotated .gz backups included). */
export function seqsInFiles(dir: string, prefix: string): { logs: number[]; traces: number[] } {
  const out = { logs: [] as number[], traces: [] as number[] };
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir)) {
    if (!f.startsWith(prefix)) continue;
    let text = readFileSync(join(dir, f));
    if (f.endsWith('.gz')) text = gunzipSync(text);
    for (const line of text.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      const o = JSON.parse(line) as Record<string, unknown>;
      if (o.resourceLogs)
        for (const rl of decodeJson('logs', line).resourceLogs)
          for (const sl of rl.scopeLogs) for (const r of sl.logRecords) out.logs.push(Number(r.attributes.seq));
      if (o.resourceSpans)
        for (const rs of decodeJson('traces', line).resourceSpans)
          for (const ss of rs.scopeSpans) for (const s of ss.spans) out.traces.push(Number(s.attributes.seq));
    }
  }
  return out;
}

export function summarize(seqs: number[], expected: number): { unique: number; duplicates: number; missing: number } {
  const set = new Set(seqs);
  let missing = 0;
  for (let i = 0; i < expected; i++) if (!set.has(i)) missing++;
  return { unique: set.size, duplicates: seqs.length - set.size, missing };
}

export async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
