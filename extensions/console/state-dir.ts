// Stand-in until src/storage/state-dir.ts (history engineer) lands: the same rule.
export function defaultStateDirectory(): string {
  const sd = process.env.STATE_DIRECTORY;
  if (sd) return sd.split(':')[0]!;
  return typeof process.getuid === 'function' && process.getuid() === 0 ? '/var/lib/telemd' : './data/state';
}
