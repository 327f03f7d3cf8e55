// Stopping with the parent that started us. `npm start` runs the agent through `sh -c` (the
// script starts with `exec`, so a SIGTERM that npm forwards reaches us directly), but a parent
// killed with SIGKILL forwards nothing: we notice that we were re-parented and stop as if sent
// SIGTERM, so a supervisor killing npm never leaves an agent behind with its ports bound.

/** True when npm (or another package manager) ran us as a package script. */
export function startedByPackageScript(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.npm_lifecycle_event !== undefined && env.npm_lifecycle_event !== '';
}

/** Calls `onOrphaned` once when our parent process changes (it exited); returns a stopper. */
export function watchParent(onOrphaned: (ppid: number) => void, everyMs = 1000): () => void {
  const first = process.ppid;
  const t = setInterval(() => {
    if (process.ppid === first) return;
    clearInterval(t);
    onOrphaned(first);
  }, everyMs);
  t.unref();
  return () => clearInterval(t);
}
