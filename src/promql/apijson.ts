// The Prometheus HTTP API's response bytes: what Prometheus 2.42 writes for the same result.
// Vector and matrix points go through jsoniter (timestamps with exactly the milliseconds,
// `1700000000.500`; values with an exponent below 1e-6 and from 1e21); scalars and strings
// through encoding/json (`1700000000.5`, values in 'f' format). Label names sorted; strings
// escaped as Go's encoding/json does, <>& included.
import type { QueryResult } from './engine.js';
import { formatFloatF, formatJsonSeconds, formatTimestamp, formatValue } from './format.js';

/** A JSON string as Go's encoding/json writes it (HTML-safe). */
export function goJsonString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function metric(labels: Record<string, string>): string {
  return `{${Object.keys(labels).sort().map((k) => `${goJsonString(k)}:${goJsonString(labels[k]!)}`).join(',')}}`;
}

const point = (tMs: number, v: number): string => `[${formatTimestamp(tMs)},"${formatValue(v)}"]`;

/** `data` of a query response as JSON text. */
export function queryDataJson(r: QueryResult): string {
  switch (r.resultType) {
    case 'scalar':
      return `{"resultType":"scalar","result":[${formatJsonSeconds(r.t)},"${formatFloatF(r.value)}"]}`;
    case 'string':
      return `{"resultType":"string","result":[${formatJsonSeconds(r.t)},${goJsonString(r.value)}]}`;
    case 'vector':
      return `{"resultType":"vector","result":[${r.result.map((s) => `{"metric":${metric(s.labels)},"value":${point(s.t, s.value)}}`).join(',')}]}`;
    case 'matrix':
      return `{"resultType":"matrix","result":[${r.result
        .map((s) => `{"metric":${metric(s.labels)},"values":[${Array.from(s.t, (t, i) => point(t, s.v[i]!)).join(',')}]}`)
        .join(',')}]}`;
  }
}

/** A whole successful `/api/v1/query` or `/api/v1/query_range` response body. */
export function querySuccessJson(r: QueryResult, warnings: readonly string[] = []): string {
  const w = warnings.length ? `,"warnings":[${warnings.map(goJsonString).join(',')}]` : '';
  return `{"status":"success","data":${queryDataJson(r)}${w}}`;
}

/** An error response body (`bad_data`, `execution`, `timeout`, `canceled`, ...). */
export function queryErrorJson(errorType: string, message: string): string {
  return `{"status":"error","errorType":${goJsonString(errorType)},"error":${goJsonString(message)}}`;
}
