// IP address checks and truncation (keep the network part: /24 for IPv4, /48 for IPv6).
import { isIPv6 } from 'node:net';

export function truncateIPv4(ip: string): string {
  const j = ip.lastIndexOf('.');
  return ip.slice(0, j) + '.0';
}

/** Keep the first three 16-bit groups (the /48 routing prefix). */
export function truncateIPv6(ip: string): string {
  const groups = expandIPv6(ip);
  if (!groups) return '::';
  return `${groups.slice(0, 3).map((g) => g.toString(16)).join(':')}::`;
}

/** Eight 16-bit groups of an IPv6 address (with an optional embedded IPv4 tail). */
export function expandIPv6(ip: string): number[] | undefined {
  if (!isIPv6(ip)) return undefined;
  let s = ip;
  const pct = s.indexOf('%');
  if (pct >= 0) s = s.slice(0, pct);
  const tail: number[] = [];
  const lastColon = s.lastIndexOf(':');
  if (s.indexOf('.', lastColon) >= 0) {
    const q = s.slice(lastColon + 1).split('.').map(Number);
    tail.push(((q[0]! << 8) | q[1]!) >>> 0, ((q[2]! << 8) | q[3]!) >>> 0);
    s = s.slice(0, lastColon + 1) + '0';
  }
  const [head, rest] = s.split('::') as [string, string | undefined];
  const parse = (p: string): number[] => (p === '' ? [] : p.split(':').map((x) => parseInt(x, 16)));
  let h = parse(head);
  let r = rest === undefined ? [] : parse(rest);
  if (tail.length) {
    if (r.length || rest !== undefined) r = [...r.slice(0, -1), ...tail];
    else h = [...h.slice(0, -1), ...tail];
  }
  const fill = 8 - h.length - r.length;
  return [...h, ...new Array<number>(Math.max(0, fill)).fill(0), ...r];
}
