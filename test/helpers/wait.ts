// Polling waits for tests (never fixed sleeps): a condition, or a value that shows up.

/** Resolves once `cond()` is true; throws after `ms`. */
export async function waitUntil(cond: () => boolean, ms = 10_000, stepMs = 10): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** Resolves with the first value `fn` returns other than undefined; throws after `ms`. */
export async function waitForValue<T>(fn: () => T | undefined | Promise<T | undefined>, ms = 20_000, stepMs = 250): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** Resolves with the first truthy result of `fn` (a condition or a value); the error names `what`. */
export async function until<T>(fn: () => T | Promise<T>, ms = 25_000, what = 'condition', stepMs = 100): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
