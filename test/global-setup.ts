// Integration tests spawn the real `telemd` (dist/telemd.js): make sure the bundle is fresh.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
