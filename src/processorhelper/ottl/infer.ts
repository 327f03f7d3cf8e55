// Context inference as the Collector's transform processor does it (0.120+): statements whose
// paths carry a context prefix (`log.body`, `metric.name`, `datapoint.attributes`) run in the
// lowest context they name; functions bound to a context (metric functions) decide when no path
// does. Paths without a prefix (older configs) mean the signal's item context.
import type { FunctionDef } from './functions.js';
import type { Key, Node, Statement } from './parse.js';
import { PREFIXES, REACH, type ContextKind } from './paths.js';

interface Uses {
  prefixes: Set<string>;
  unprefixed: boolean;
  calls: Set<string>;
  cache: boolean;
}

function walk(n: Node | undefined, u: Uses): void {
  if (!n) return;
  const keys = (ks: Key[]) => ks.forEach((k) => k.t === 'expr' && walk(k.x, u));
  switch (n.t) {
    case 'path':
      if (n.parts.length === 1 && n.parts[0] === 'cache') u.cache = true;
      else if (n.parts.length > 1 && PREFIXES[n.parts[0]!]) u.prefixes.add(PREFIXES[n.parts[0]!]!);
      else u.unprefixed = true;
      keys(n.keys);
      break;
    case 'call':
      u.calls.add(n.name);
      n.args.forEach((a) => walk(a.value, u));
      keys(n.keys);
      break;
    case 'list':
      n.items.forEach((x) => walk(x, u));
      break;
    case 'map':
      n.entries.forEach(([, x]) => walk(x, u));
      break;
    case 'math':
    case 'cmp':
      walk(n.l, u);
      walk(n.r, u);
      break;
    case 'and':
    case 'or':
      n.items.forEach((x) => walk(x, u));
      break;
    case 'not':
      walk(n.x, u);
      break;
  }
}

export function uses(statements: readonly Statement[], conditions: readonly Node[] = []): Uses {
  const u: Uses = { prefixes: new Set(), unprefixed: false, calls: new Set(), cache: false };
  for (const st of statements) {
    u.calls.add(st.editor.name);
    st.editor.args.forEach((a) => walk(a.value, u));
    walk(st.where, u);
  }
  for (const c of conditions) walk(c, u);
  return u;
}

/**
 * The context a group runs in. `order` lists the signal's contexts from resource down to the
 * items (for metrics: resource, scope, metric, datapoint); `item` is where unprefixed paths
 * point. Returns the context, or why none fits.
 */
export function inferContext(
  order: readonly ContextKind[],
  item: ContextKind,
  u: Uses,
  fns: ReadonlyMap<string, FunctionDef>,
): ContextKind | { problem: string } {
  const fits = (c: ContextKind) => [...u.prefixes].every((p) => REACH[c].includes(p as never));
  let allowed = [...order];
  const bound = [...u.calls].filter((n) => fns.get(n)?.contexts);
  for (const name of bound) allowed = allowed.filter((c) => fns.get(name)!.contexts!.includes(c));
  if (allowed.length === 0) return { problem: `no context allows every function used (${bound.join(', ')})` };
  const candidates = allowed.filter(fits);
  if (candidates.length === 0)
    return {
      problem: `the paths (${[...u.prefixes].join(', ')}) and the functions used (${bound.join(', ')}) need different contexts; put them in separate groups`,
    };
  const lowestOf = (cs: ContextKind[]) => cs[cs.length - 1]!;
  // Unprefixed paths are the item's, unless a function bound to a context says otherwise.
  if (u.unprefixed || u.prefixes.size === 0) return candidates.includes(item) ? item : lowestOf(candidates);
  const lowest = order.filter((c) => u.prefixes.has(c)).pop()!;
  return candidates.find((c) => order.indexOf(c) >= order.indexOf(lowest)) ?? lowestOf(candidates);
}
