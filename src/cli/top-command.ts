// `telemd top`: items/s per component, refusals, failures, drops, queue fill, the agent's CPU and
// RSS, refreshed every second. Full screen with plain ANSI codes (a table and four keys need no
// terminal library); a plain table, printed once, when stdout is not a terminal.
import { apiCall, CliError, EXIT, findConsole, type ConsoleTarget } from './console-client.js';
import { CONNECT_FLAGS, CONSOLE_EXIT_CODES, type CommandSpec } from './spec.js';
import { table } from './query-command.js';

interface Component {
  key: string;
  kind: string;
  id: string;
  pipeline?: string;
  state: string;
  items: { in: number; out: number; refused: number; failed: number; dropped: number; queue?: { size: number; capacity: number } };
}
interface Status {
  health: { healthy: boolean; reasons: string[] };
  process: { cpu_seconds_total?: number; resident_memory_bytes?: number; uptime_seconds?: number };
  components: Component[];
}

export interface Row {
  key: string;
  name: string;
  kind: string;
  state: string;
  inRate: number | undefined;
  outRate: number | undefined;
  refused: number;
  failed: number;
  dropped: number;
  queue: string;
}

const SORTS = ['name', 'in', 'out', 'refused', 'failed', 'dropped'] as const;
type SortKey = (typeof SORTS)[number];

/** Rates from two snapshots of the totals (each `top` measures over its own interval). */
export function rows(prev: { t: number; s: Status } | undefined, cur: { t: number; s: Status }): Row[] {
  const before = new Map(prev?.s.components.map((c) => [c.key, c]) ?? []);
  const dt = prev ? (cur.t - prev.t) / 1000 : 0;
  return cur.s.components
    .filter((c) => c.kind !== 'extension')
    .map((c) => {
      const p = before.get(c.key);
      const rate = (a: number, b: number | undefined) => (p && dt > 0 && b !== undefined && a >= b ? (a - b) / dt : undefined);
      const q = c.items.queue;
      return {
        key: c.key,
        name: `${c.kind} ${c.id}${c.pipeline ? ` (${c.pipeline})` : ''}`,
        kind: c.kind,
        state: c.state,
        inRate: rate(c.items.in, p?.items.in),
        outRate: rate(c.items.out, p?.items.out),
        refused: c.items.refused,
        failed: c.items.failed,
        dropped: c.items.dropped,
        queue: q ? `${q.size}/${q.capacity} ${Math.round((100 * q.size) / Math.max(1, q.capacity))}%` : '',
      };
    });
}

const KIND_ORDER: Record<string, number> = { receiver: 0, processor: 1, connector: 2, exporter: 3 };

function sortRows(rs: Row[], by: SortKey, reverse: boolean): Row[] {
  const val = (r: Row): number | string => {
    switch (by) {
      case 'name':
        return `${KIND_ORDER[r.kind] ?? 9}${r.name}`;
      case 'in':
        return -(r.inRate ?? -1);
      case 'out':
        return -(r.outRate ?? -1);
      default:
        return -r[by];
    }
  };
  const out = [...rs].sort((a, b) => {
    const x = val(a);
    const y = val(b);
    return x < y ? -1 : x > y ? 1 : a.name < b.name ? -1 : 1;
  });
  return reverse ? out.reverse() : out;
}

const rateText = (r: number | undefined) => (r === undefined ? '-' : r >= 100 ? r.toFixed(0) : r.toFixed(1));
const mib = (b: number | undefined) => (b === undefined ? '?' : `${(b / 1048576).toFixed(1)} MiB`);

export function renderTable(rs: Row[]): string {
  return table(
    ['COMPONENT', 'STATE', 'IN/S', 'OUT/S', 'REFUSED', 'FAILED', 'DROPPED', 'QUEUE'],
    rs.map((r) => [r.name, r.state, rateText(r.inRate), rateText(r.outRate), String(r.refused), String(r.failed), String(r.dropped), r.queue]),
    [false, false, true, true, true, true, true, true],
  );
}

function headline(t: ConsoleTarget, prev: { t: number; s: Status } | undefined, cur: { t: number; s: Status }): string {
  const p = cur.s.process;
  const cpu = prev && p.cpu_seconds_total !== undefined && prev.s.process.cpu_seconds_total !== undefined ? `${((100 * (p.cpu_seconds_total - prev.s.process.cpu_seconds_total)) / ((cur.t - prev.t) / 1000)).toFixed(1)}%` : '-';
  const up = p.uptime_seconds === undefined ? '?' : `${Math.floor(p.uptime_seconds / 60)}m${Math.floor(p.uptime_seconds % 60)}s`;
  const health = cur.s.health.healthy ? 'healthy' : `UNHEALTHY: ${cur.s.health.reasons.join('; ')}`;
  return `telemd top — ${t.host}:${t.port} — CPU ${cpu}  RSS ${mib(p.resident_memory_bytes)}  up ${up} — ${health}`;
}

async function fetchStatus(t: ConsoleTarget): Promise<{ t: number; s: Status }> {
  const s = await apiCall<Status>(t, '/api/v1/status/components');
  return { t: Date.now(), s };
}

export const topCommand: CommandSpec = {
  name: 'top',
  usage: 'telemd top [--sort name|in|out|refused|failed|dropped] [--interval D] [--config F | --endpoint H:P --token-file F]',
  summary: 'Items/s per component, queue sizes, CPU and RSS of the running agent (live).',
  positional: [0, 0],
  exitCodes: Object.fromEntries(CONSOLE_EXIT_CODES.map((c) => [c, ''])),
  signals: { SIGINT: 'quit (as the q key)' },
  flags: {
    '--sort': { value: true, arg: 'KEY', choices: SORTS, help: 'initial sort column (keys: s cycles, r reverses, q quits)' },
    '--interval': { value: true, arg: 'SECONDS', help: 'refresh interval in seconds (default 1)' },
    ...CONNECT_FLAGS,
  },
  async run(args) {
    let sort = (args.values.get('--sort') ?? 'name') as SortKey;
    if (!SORTS.includes(sort)) throw new CliError(`--sort ${JSON.stringify(sort)}: one of ${SORTS.join(', ')}`, EXIT.usage);
    const interval = Number(args.values.get('--interval') ?? '1');
    if (!(interval >= 0.2 && interval <= 3600)) throw new CliError('--interval: seconds between 0.2 and 3600', EXIT.usage);
    const target = findConsole(args);
    let prev = await fetchStatus(target);
    const out = process.stdout;
    if (!out.isTTY) {
      await new Promise((r) => setTimeout(r, interval * 1000));
      const cur = await fetchStatus(target);
      out.write(`${headline(target, prev, cur)}\n${renderTable(sortRows(rows(prev, cur), sort, false))}`);
      return EXIT.ok;
    }
    let reverse = false;
    let cur = prev;
    let error = '';
    const draw = () => {
      const body = renderTable(sortRows(rows(prev === cur ? undefined : prev, cur), sort, reverse));
      const lines = body.split('\n');
      const [head, ...rest] = lines;
      const cols = out.columns ?? 120;
      const fit = (s: string) => (s.length > cols ? s.slice(0, cols) : s);
      const screen = [
        `\x1b[1m${fit(headline(target, prev === cur ? undefined : prev, cur))}\x1b[0m`,
        fit(`sort: ${sort}${reverse ? ' (reversed)' : ''} — s: next sort  r: reverse  q: quit${error ? `   \x1b[31m${error}\x1b[0m` : ''}`),
        '',
        `\x1b[7m${fit(head!.padEnd(Math.min(cols, head!.length)))}\x1b[0m`,
        ...rest.slice(0, Math.max(0, (out.rows ?? 40) - 5)).map(fit),
      ];
      out.write(`\x1b[H\x1b[2J${screen.join('\n')}`);
    };
    return new Promise<number>((resolve) => {
      const stdin = process.stdin;
      let timer: NodeJS.Timeout | undefined;
      const finish = (code: number) => {
        if (timer) clearTimeout(timer);
        if (stdin.isTTY) stdin.setRawMode(false);
        stdin.pause();
        out.write('\x1b[?25h\x1b[?1049l');
        resolve(code);
      };
      out.write('\x1b[?1049h\x1b[?25l');
      if (stdin.isTTY) stdin.setRawMode(true);
      stdin.setEncoding('utf8').resume();
      stdin.on('data', (k: string) => {
        if (k === 'q' || k === '\u0003' || k === '\x1b') return finish(EXIT.ok);
        if (k === 's') sort = SORTS[(SORTS.indexOf(sort) + 1) % SORTS.length]!;
        else if (k === 'r') reverse = !reverse;
        else if (SORTS.some((x) => x[0] === k)) sort = SORTS.find((x) => x[0] === k)!;
        draw();
      });
      process.once('SIGTERM', () => finish(EXIT.ok));
      out.on('resize', draw);
      const tick = async () => {
        try {
          const next = await fetchStatus(target);
          prev = cur;
          cur = next;
          error = '';
        } catch (err) {
          error = (err as Error).message;
        }
        draw();
        timer = setTimeout(() => void tick(), interval * 1000);
      };
      draw();
      timer = setTimeout(() => void tick(), interval * 1000);
    });
  },
};
