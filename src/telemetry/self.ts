// The agent's own metrics (accepted/refused/sent/failed/dropped per component, queue sizes,
// process CPU and RSS), rendered in the Prometheus text format on the self-metrics endpoint.
import { selfMetricProblem, selfMetricSpec, type SelfMetricName } from './catalogue.js';

export type Labels = Record<string, string>;
export type { SelfMetricName } from './catalogue.js';

export interface Counter {
  add(n?: number): void;
  value(): number;
}

export interface Gauge {
  set(v: number): void;
  add(n: number): void;
  value(): number;
}

interface Series {
  labels: Labels;
  value: number;
  fn?: () => number;
}

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  series: Map<string, Series>;
}

function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function fmt(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

export class MetricRegistry {
  private byName = new Map<string, Family>();

  private series(name: string, help: string, type: 'counter' | 'gauge', labels: Labels): Series {
    let fam = this.byName.get(name);
    if (!fam || name.startsWith('telemd_')) {
      const problem = selfMetricProblem(name, type, labels);
      if (problem) throw new Error(problem);
    }
    if (!fam) {
      fam = { name, help: selfMetricSpec(name)?.help ?? help, type, series: new Map() };
      this.byName.set(name, fam);
    } else if (fam.type !== type) {
      throw new Error(`self-metric ${name} registered as ${fam.type} and ${type}`);
    }
    const key = labelKey(labels);
    let s = fam.series.get(key);
    if (!s) {
      s = { labels: { ...labels }, value: 0 };
      fam.series.set(key, s);
    }
    return s;
  }

  counter(name: string, help: string, labels: Labels = {}): Counter {
    const s = this.series(name, help, 'counter', labels);
    return {
      add: (n = 1) => {
        s.value += n;
      },
      value: () => s.value,
    };
  }

  gauge(name: string, help: string, labels: Labels = {}): Gauge {
    const s = this.series(name, help, 'gauge', labels);
    return {
      set: (v) => {
        s.value = v;
      },
      add: (n) => {
        s.value += n;
      },
      value: () => (s.fn ? s.fn() : s.value),
    };
  }

  /** A gauge read when scraped (queue sizes, RSS). */
  observe(name: string, help: string, labels: Labels, fn: () => number, type: 'counter' | 'gauge' = 'gauge'): void {
    this.series(name, help, type, labels).fn = fn;
  }

  /** Current values of one family. */
  values(name: string): { labels: Labels; value: number }[] {
    const fam = this.byName.get(name);
    if (!fam) return [];
    return [...fam.series.values()].map((s) => ({ labels: s.labels, value: s.fn ? s.fn() : s.value }));
  }

  /** Every family with its current series (the console's view of the counters). */
  families(): { name: string; help: string; type: 'counter' | 'gauge'; series: { labels: Labels; value: number }[] }[] {
    return [...this.byName.values()].map((f) => ({
      name: f.name,
      help: f.help,
      type: f.type,
      series: [...f.series.values()].map((s) => ({ labels: { ...s.labels }, value: s.fn ? s.fn() : s.value })),
    }));
  }

  renderPrometheus(): string {
    const out: string[] = [];
    for (const fam of [...this.byName.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      if (fam.series.size === 0) continue;
      out.push(`# HELP ${fam.name} ${fam.help}`, `# TYPE ${fam.name} ${fam.type}`);
      for (const s of fam.series.values()) {
        const ls = Object.entries(s.labels)
          .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
          .join(',');
        const v = s.fn ? s.fn() : s.value;
        out.push(`${fam.name}${ls ? `{${ls}}` : ''} ${fmt(v)}`);
      }
    }
    return out.join('\n') + '\n';
  }
}

/**
 * A view of the registry that adds a component's labels to every series it creates. Names come
 * from the catalogue (src/telemetry/catalogue.ts), and so do help texts: `counter(name, labels)`.
 */
export class SelfTelemetry {
  constructor(
    readonly registry: MetricRegistry,
    readonly labels: Labels = {},
  ) {}

  with(labels: Labels): SelfTelemetry {
    return new SelfTelemetry(this.registry, { ...this.labels, ...labels });
  }

  counter(name: SelfMetricName, labels?: Labels): Counter;
  /** @deprecated the help text is the catalogue's; pass only the name and labels. */
  counter(name: SelfMetricName, help: string, labels?: Labels): Counter;
  counter(name: SelfMetricName, a?: string | Labels, b?: Labels): Counter {
    return this.registry.counter(name, '', { ...this.labels, ...(typeof a === 'object' ? a : b) });
  }

  gauge(name: SelfMetricName, labels?: Labels): Gauge;
  /** @deprecated the help text is the catalogue's; pass only the name and labels. */
  gauge(name: SelfMetricName, help: string, labels?: Labels): Gauge;
  gauge(name: SelfMetricName, a?: string | Labels, b?: Labels): Gauge {
    return this.registry.gauge(name, '', { ...this.labels, ...(typeof a === 'object' ? a : b) });
  }

  /** A series read when scraped; its type is the catalogue's. */
  observe(name: SelfMetricName, labels: Labels, fn: () => number): void;
  /** @deprecated the help text and type are the catalogue's; pass the name, labels and fn. */
  observe(name: SelfMetricName, help: string, labels: Labels, fn: () => number, type?: 'counter' | 'gauge'): void;
  observe(name: SelfMetricName, a: string | Labels, b: Labels | (() => number), c?: () => number): void {
    const labels = typeof a === 'object' ? a : (b as Labels);
    const fn = typeof b === 'function' ? b : c!;
    this.registry.observe(name, '', { ...this.labels, ...labels }, fn, selfMetricSpec(name)!.type);
  }
}
