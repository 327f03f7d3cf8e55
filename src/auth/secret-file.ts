// A secret read from a file and read again when the file changes (rotation without restart,
// as the Collector's auth extensions watch their files); the stat is throttled to once a second.
import { readFileSync, statSync } from 'node:fs';

export class SecretFile {
  private value: string;
  private mtime: number;
  private checked = Date.now();

  constructor(private readonly path: string) {
    this.value = this.read();
    this.mtime = this.stat();
  }

  private read(): string {
    try {
      return readFileSync(this.path, 'utf8').trim();
    } catch (e) {
      throw new Error(`cannot read ${this.path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }

  private stat(): number {
    try {
      return statSync(this.path).mtimeMs;
    } catch {
      return this.mtime;
    }
  }

  get(): string {
    const now = Date.now();
    if (now - this.checked >= 1000) {
      this.checked = now;
      const m = this.stat();
      if (m !== this.mtime) {
        this.mtime = m;
        try {
          this.value = this.read();
        } catch {
          // Keep the last good secret while the file is being replaced.
        }
      }
    }
    return this.value;
  }
}
