// Online log template miner in the style of Drain (He et al., ICWS 2017): a fixed-depth parse
// tree routes a tokenised message by its length and first tokens to a small set of clusters,
// the most similar cluster above a threshold absorbs it (differing tokens become `<*>`),
// otherwise a new cluster starts. Generic rules replace per-system masks: a token with a digit
// in it, or a month/weekday name, is a variable; routing uses the first words that are not, and a
// message that matches nothing in its leaf is tried against the templates of its length in other
// branches, so the result does not hang on which positions route. Memory: at most `maxTemplates` clusters, each its tokens plus
// ~100 bytes; the least recently seen cluster is evicted when full (counted by the caller).

import { isUpperWord, tokenize, WILDCARD } from './logmask.js';

export interface MinerOptions {
  /** Prefix tokens used for routing (Drain's depth - 2). */
  prefixTokens: number;
  /** Fraction of equal tokens needed to join a cluster. */
  similarity: number;
  /** Children per tree node before new tokens fall into the `<*>` branch. */
  maxChildren: number;
  maxTemplates: number;
  /** Templates per leaf: bounds the per-message scan when input never repeats (garbage). */
  maxLeafTemplates: number;
  /** Word positions (both sides non-variable, unequal) a message may differ in, as a share of its words (at least 1). */
  wordDiff: number;
  /** Upper-case words (NEW, RUNNING, GET) are enumeration values: never merged into a variable. */
  upperConstant: boolean;
  /** Capitalised words (Started, Paused) count as enumeration values too. */
  capitalConstant: boolean;
  /**
   * On a miss in the routed leaf, templates of the same length in other branches (newest first,
   * at most this many) are tried with the same rules, so that a variable word in a routing
   * position does not split its template. 0 = Drain's strict routing.
   */
  crossBranch: number;
}

export const DEFAULT_MINER: MinerOptions = { prefixTokens: 2, similarity: 0.5, maxChildren: 100, maxTemplates: 5000, maxLeafTemplates: 200, wordDiff: 0.2, upperConstant: true, capitalConstant: true, crossBranch: 50 };

export interface Cluster {
  /** Stable id: a hash of the template this cluster started from. */
  id: string;
  tokens: string[];
  count: number;
  /** Sequence number of the last match, for LRU eviction. */
  lastSeen: number;
  /** The template text, cached until the template next changes. */
  text?: string;
  /** The miner's own bookkeeping: neighbours in its least-recently-seen list, and the leaf and
   *  branch keys the cluster lives under (fields, not Map entries: no hashing per message). */
  older?: Cluster;
  newer?: Cluster;
  home?: { leaf: Node; route: string[] };
}

export interface MatchResult {
  cluster: Cluster;
  /** True when this message started a new template. */
  created: boolean;
  /** Cluster evicted to make room, if any. */
  evicted?: Cluster;
}

export interface SavedCluster {
  id: string;
  template: string;
  count: number;
  /** Tree branch the template lives in (its first message's route); absent in old saves. */
  route?: string[];
}

export interface Node {
  children: Map<string, Node>;
  clusters: Cluster[];
}

/**
 * Equal words (not variables) a template from another branch must share with a message. Inside a
 * leaf the two route words are already equal; across branches one of them differs, so one more
 * agreeing word is asked for: short messages that differ in their first word are usually other
 * events (`instruction address: <*>` / `data address: <*>` merge with only two).
 */
const CROSS_BRANCH_WORDS = 3;

const newNode = (): Node => ({ children: new Map(), clusters: [] });

export { tokenize, WILDCARD };

/**
 * The tokens a message is routed by: the first `n` that are not variables, so that a header of
 * timestamps and ids (raw lines) does not put every message in one branch.
 */
function routeTokens(tokens: string[], n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < tokens.length && out.length < n; i++) if (tokens[i] !== WILDCARD) out.push(tokens[i]!);
  return out;
}

function oldestOf(clusters: Iterable<Cluster>): Cluster | undefined {
  let old: Cluster | undefined;
  for (const c of clusters) if (!old || c.lastSeen < old.lastSeen) old = c;
  return old;
}

/** FNV-1a 32-bit, hex: short ids that are equal on every host for the same template. */
function fnv(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

export class TemplateMiner {
  private root = newNode();
  /** Every cluster by id. */
  private all = new Map<string, Cluster>();
  /** Least and most recently seen cluster: ends of a doubly linked list through the clusters. */
  private oldest?: Cluster;
  private newest?: Cluster;
  /** Clusters by token count, in creation order (the cross-branch search). */
  private byLength = new Map<number, Cluster[]>();
  private seq = 0;
  readonly opts: MinerOptions;

  constructor(opts: Partial<MinerOptions> = {}) {
    this.opts = { ...DEFAULT_MINER, ...opts };
  }

  get size(): number {
    return this.all.size;
  }

  /** Every cluster, least recently seen first. */
  *clusters(): IterableIterator<Cluster> {
    for (let c = this.oldest; c; c = c.newer) yield c;
  }

  private unlink(c: Cluster): void {
    if (c.older) c.older.newer = c.newer;
    else this.oldest = c.newer;
    if (c.newer) c.newer.older = c.older;
    else this.newest = c.older;
    c.older = c.newer = undefined;
  }

  private append(c: Cluster): void {
    c.older = this.newest;
    c.newer = undefined;
    if (this.newest) this.newest.newer = c;
    else this.oldest = c;
    this.newest = c;
  }

  /** Finds or creates the template of one message. */
  add(line: string): MatchResult {
    const tokens = tokenize(line);
    const { leaf, route } = this.leaf(this.routeOf(tokens), true)!;
    const c = this.best(leaf.clusters, tokens) ?? this.crossBranch(leaf, tokens);
    this.seq++;
    if (c) {
      for (let i = 0; i < tokens.length; i++)
        if (c.tokens[i] !== tokens[i]) {
          c.tokens[i] = WILDCARD;
          c.text = undefined;
        }
      c.count++;
      c.lastSeen = this.seq;
      // Keep the list in least-recently-seen order, so the global eviction is O(1).
      if (c !== this.newest) {
        this.unlink(c);
        this.append(c);
      }
      return { cluster: c, created: false };
    }
    const evicted =
      leaf.clusters.length >= this.opts.maxLeafTemplates
        ? this.evict(oldestOf(leaf.clusters))
        : this.all.size >= this.opts.maxTemplates
          ? this.evict(this.oldest)
          : undefined;
    const created = this.insert(tokens, 1, undefined, leaf, route);
    return { cluster: created, created: true, evicted };
  }

  /** The template text of a cluster (variables as `<*>`). */
  static text(c: Cluster): string {
    return (c.text ??= c.tokens.join(' '));
  }

  save(): SavedCluster[] {
    return [...this.clusters()]
      .sort((a, b) => a.lastSeen - b.lastSeen)
      .map((c) => ({ id: c.id, template: TemplateMiner.text(c), count: c.count, route: c.home?.route }));
  }

  /** Restores saved clusters (oldest first), keeping their ids. */
  load(saved: SavedCluster[]): void {
    for (const s of saved) {
      if (this.all.has(s.id) || this.all.size >= this.opts.maxTemplates) continue;
      const tokens = s.template.split(' ').filter((t) => t);
      const route = Array.isArray(s.route) && s.route[0] === String(tokens.length) ? s.route.map(String) : this.routeOf(tokens);
      const { leaf, route: resolved } = this.leaf(route, true)!;
      this.seq++;
      this.insert(tokens, s.count, s.id, leaf, resolved);
    }
  }

  private insert(tokens: string[], count: number, id: string | undefined, leaf: Node, route: string[]): Cluster {
    let cid = id ?? fnv(tokens.join(' '));
    for (let k = 1; !id && this.all.has(cid); k++) cid = `${fnv(tokens.join(' '))}-${k}`;
    const c: Cluster = { id: cid, tokens: tokens.slice(), count, lastSeen: this.seq, text: undefined, older: undefined, newer: undefined, home: { leaf, route } };
    leaf.clusters.push(c);
    this.all.set(cid, c);
    this.append(c);
    const same = this.byLength.get(tokens.length);
    if (same) same.push(c);
    else this.byLength.set(tokens.length, [c]);
    return c;
  }

  private evict(old: Cluster | undefined): Cluster | undefined {
    if (!old) return undefined;
    this.all.delete(old.id);
    this.unlink(old);
    const home = old.home;
    old.home = undefined;
    if (home) home.leaf.clusters = home.leaf.clusters.filter((c) => c !== old);
    const same = this.byLength.get(old.tokens.length);
    if (same) {
      const i = same.indexOf(old);
      if (i >= 0) same.splice(i, 1);
      if (same.length === 0) this.byLength.delete(old.tokens.length);
    }
    return old;
  }

  private routeOf(tokens: string[]): string[] {
    return [String(tokens.length), ...routeTokens(tokens, this.opts.prefixTokens)];
  }

  /** The leaf at the end of `path`, and the keys actually taken (full nodes divert to `<*>`). */
  private leaf(path: string[], create: boolean): { leaf: Node; route: string[] } | undefined {
    let node = this.root;
    const route: string[] = [];
    for (let d = 0; d < path.length; d++) {
      let key = path[d]!;
      let next = node.children.get(key);
      if (!next && d > 0 && key !== WILDCARD) {
        // A full node sends newcomers down the wildcard branch (bounded fan-out).
        if (node.children.size >= this.opts.maxChildren) key = WILDCARD;
        next = node.children.get(key);
      }
      if (!next) {
        if (!create) return undefined;
        next = newNode();
        node.children.set(key, next);
      }
      route.push(key);
      node = next;
    }
    return { leaf: node, route };
  }

  /**
   * Drain's routing is exact on the first words, so a word that varies there (a user or host
   * name without digits) would start a template per value. The match rules do not depend on a
   * word's position, so on a miss the newest templates of the same length elsewhere get the same
   * test; the cost is paid only by messages that match nothing in their own leaf.
   */
  private crossBranch(leaf: Node, tokens: string[]): Cluster | undefined {
    const n = this.opts.crossBranch;
    const same = this.byLength.get(tokens.length);
    if (n <= 0 || !same || same.length === leaf.clusters.length) return undefined;
    // The newest n of that length, bounded however many of them share this leaf (garbage input
    // that fills one wildcard leaf must not make every message scan them all).
    const pool: Cluster[] = [];
    for (let i = same.length - 1; i >= 0 && i >= same.length - n; i--) if (same[i]!.home?.leaf !== leaf) pool.push(same[i]!);
    return this.best(pool, tokens, CROSS_BRANCH_WORDS);
  }

  /** The most similar cluster that passes the rules; `minWords` equal words at least. */
  private best(clusters: Cluster[], tokens: string[], minWords = 0): Cluster | undefined {
    let best: Cluster | undefined;
    let bestSim = -1;
    let bestParams = -1;
    let words = 0;
    for (const t of tokens) if (t !== WILDCARD) words++;
    const maxDiff = Math.max(1, Math.floor(this.opts.wordDiff * words));
    outer: for (const c of clusters) {
      let same = 0;
      let params = 0;
      let diff = 0;
      let equalWords = 0;
      for (let i = 0; i < tokens.length; i++) {
        const t = c.tokens[i]!;
        const u = tokens[i]!;
        // A masked token (it had digits) fits a variable slot as well as an equal word does.
        if (t === u) {
          same++;
          if (t !== WILDCARD) equalWords++;
        } else if (t === WILDCARD) params++;
        else if (u !== WILDCARD) {
          if (++diff > maxDiff) continue outer;
          if (this.opts.upperConstant && (isUpperWord(t, this.opts.capitalConstant) || isUpperWord(u, this.opts.capitalConstant))) continue outer;
        }
      }
      if (equalWords < minWords) continue;
      const sim = tokens.length ? same / tokens.length : 1;
      if (sim > bestSim || (sim === bestSim && params > bestParams)) {
        best = c;
        bestSim = sim;
        bestParams = params;
      }
    }
    return best && bestSim >= this.opts.similarity ? best : undefined;
  }
}
