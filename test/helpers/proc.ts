// What tests read of a running process from /proc, and the OTLP/JSON log bodies the memory tests send.
import { readFileSync } from 'node:fs';

/** Resident set size of `pid`, in MiB. */
export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

/** An OTLP/JSON logs request of `n` access-log-like records numbered from `first` (attribute `seq`); `pad` adds up to that many bytes per body. */
export function logsJsonBody(first: number, n: number, service: string, pad = 0): string {
  const logRecords = [];
  for (let i = 0; i < n; i++) {
    const seq = first + i;
    logRecords.push({
      timeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
      severityNumber: 9,
      body: { stringValue: `GET /api/items/${seq} 200 served in ${seq % 97}ms user=u${seq % 5000} agent="Mozilla/5.0 (X11; Linux x86_64)"${pad ? ` ${'p'.repeat(seq % pad)}` : ''}` },
      attributes: [{ key: 'seq', value: { intValue: String(seq) } }, { key: 'log.file.path', value: { stringValue: '/var/log/app.log' } }],
    });
  }
  return JSON.stringify({ resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeLogs: [{ scope: { name: service }, logRecords }] }] });
}
