// Operators may give an entry resource attributes (`resource.x`); a log receiver then hands
// downstream one ResourceLogs per distinct resource, each on top of its static resource.
import type { Attributes, LogRecord, LogsData } from '../pdata/types.js';

/** `resources[i]` is what operators set for `records[i]` (undefined: none; no list: none at all). */
export function logsByResource(
  records: LogRecord[],
  resources: (Attributes | undefined)[] | undefined,
  base: Attributes,
  scopeName: string,
): LogsData {
  const scope = { name: scopeName };
  if (!resources || resources.every((r) => r === undefined))
    return { resourceLogs: [{ resource: { attributes: { ...base } }, scopeLogs: [{ scope, logRecords: records }] }] };
  const groups = new Map<string, { attrs: Attributes; recs: LogRecord[] }>();
  records.forEach((r, i) => {
    const a = { ...base, ...resources[i] };
    const k = JSON.stringify(a, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { attrs: a, recs: [] }));
    g.recs.push(r);
  });
  return {
    resourceLogs: [...groups.values()].map((g) => ({ resource: { attributes: g.attrs }, scopeLogs: [{ scope, logRecords: g.recs }] })),
  };
}
