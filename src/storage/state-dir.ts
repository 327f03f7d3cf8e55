// Where telemd keeps state when a component is not told: the systemd StateDirectory of the
// service ($STATE_DIRECTORY, /var/lib/telemd with the unit telemd installs), /var/lib/telemd when
// run as root, else ./data/state beside a clone (relative to the working directory).
export function defaultStateDirectory(): string {
  const sd = process.env.STATE_DIRECTORY;
  if (sd) return sd.split(':')[0]!;
  return typeof process.getuid === 'function' && process.getuid() === 0 ? '/var/lib/telemd' : './data/state';
}
