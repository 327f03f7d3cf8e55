// What `telemd service install` must know about the installation and the config: whether the
// service user can reach this copy of telemd (the unit's ProtectHome=/PrivateTmp= hide /root,
// /home and /tmp), a copy of it with only its production dependencies, and the directories the
// config writes to (the unit's ProtectSystem=strict makes everything else read-only).
import { cpSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { resolveConfig } from '../config/resolve.js';
import { factories } from '../registry.js';

/** Hidden from the service by the unit (ProtectHome=read-only hides nothing, but PrivateTmp does; /root is 0700). */
const HIDDEN = ['/root', '/home', '/tmp', '/var/tmp', '/run/user', '/dev/shm'];

/** Why the service user cannot run telemd from `root`, or undefined when it can. */
export function unreachableInstall(root: string): string | undefined {
  const abs = resolve(root);
  const hidden = HIDDEN.find((h) => abs === h || abs.startsWith(h + sep));
  if (hidden)
    return `${abs} is under ${hidden}, which the unit hides from the service (${hidden === '/tmp' || hidden === '/var/tmp' ? 'PrivateTmp=yes' : hidden === '/root' || hidden === '/home' || hidden === '/run/user' ? 'ProtectHome= and its permissions' : 'PrivateDevices=yes'})`;
  // Every directory on the way must let others through (the service user is not the owner).
  for (let d = abs; ; d = dirname(d)) {
    try {
      if ((statSync(d).mode & 0o001) === 0) return `${d} is not searchable by other users (mode ${(statSync(d).mode & 0o777).toString(8)})`;
    } catch (err) {
      return `${d}: ${(err as Error).message}`;
    }
    if (dirname(d) === d) break;
  }
  return undefined;
}

/** The installation's files the service runs: the bundle, bin, config, docs, production dependencies. */
export function copyInstallation(from: string, to: string): number {
  mkdirSync(to, { recursive: true, mode: 0o755 });
  let copied = 0;
  for (const entry of ['package.json', 'package-lock.json', 'README.md', 'bin', 'dist', 'config', 'docs']) {
    if (!existsSync(join(from, entry))) continue;
    cpSync(join(from, entry), join(to, entry), { recursive: true, dereference: true });
    copied++;
  }
  for (const dir of productionModules(from)) {
    cpSync(join(from, dir), join(to, dir), { recursive: true, dereference: true });
    copied++;
  }
  return copied;
}

/**
 * node_modules entries the runtime needs: from package-lock.json, every package not marked
 * dev-only that is present (optional platform packages that were not installed are skipped).
 * Without a lock (an npm-installed copy), node_modules as it is.
 */
export function productionModules(root: string): string[] {
  const lockPath = join(root, 'package-lock.json');
  if (!existsSync(lockPath)) return existsSync(join(root, 'node_modules')) ? ['node_modules'] : [];
  const lock = JSON.parse(readFileSync(lockPath, 'utf8')) as { packages?: Record<string, { dev?: boolean; devOptional?: boolean }> };
  const out: string[] = [];
  for (const [path, p] of Object.entries(lock.packages ?? {})) {
    if (!path.startsWith('node_modules/') || p.dev) continue;
    // Nested copies (node_modules/a/node_modules/b) come with their parent.
    if (path.indexOf('/node_modules/', 'node_modules/'.length) >= 0 && out.some((o) => path.startsWith(o + '/'))) continue;
    if (existsSync(join(root, path))) out.push(path);
  }
  return out;
}

/**
 * Directories the config writes to, as the service will see it (STATE_DIRECTORY and
 * TELEMD_DATA_DIR set as the unit sets them; relative paths from WorkingDirectory).
 */
export function writablePaths(configFile: string, stateDir: string): { paths: string[]; errors: string[] } {
  const env = { ...process.env, STATE_DIRECTORY: stateDir, TELEMD_DATA_DIR: stateDir };
  const saved = process.env.STATE_DIRECTORY;
  // Component defaults read STATE_DIRECTORY when the schema fills them in.
  process.env.STATE_DIRECTORY = stateDir;
  let r;
  try {
    r = resolveConfig({ files: [configFile], env, factories });
  } finally {
    if (saved === undefined) delete process.env.STATE_DIRECTORY;
    else process.env.STATE_DIRECTORY = saved;
  }
  if (!r.config) return { paths: [], errors: r.errors.map((e) => e.message) };
  const dirs = new Set<string>();
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(stateDir, p));
  const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
  for (const c of r.config.components.exporter.values()) {
    const cfg = c.config as Record<string, unknown>;
    if (c.factory.type === 'file' && str(cfg.path)) dirs.add(dirname(abs(str(cfg.path)!)));
    if (c.factory.type === 'history' && str(cfg.directory)) dirs.add(abs(str(cfg.directory)!));
  }
  for (const c of r.config.components.extension.values()) {
    const cfg = c.config as Record<string, unknown>;
    if (c.factory.type === 'file_storage' && str(cfg.directory)) dirs.add(abs(str(cfg.directory)!));
    if ((c.factory.type === 'console' || c.factory.type === 'health_check') && str(cfg.token_file)) dirs.add(dirname(abs(str(cfg.token_file)!)));
  }
  // The state directory is writable already (StateDirectory=); so is anything below it.
  const paths = [...dirs].filter((d) => d !== stateDir && !d.startsWith(stateDir + sep)).sort();
  return { paths, errors: [] };
}
