// htpasswd lines: user:hash with bcrypt ($2a$/$2b$/$2y$), {SHA} (base64 SHA-1) or plain text.
// MD5-based hashes ($apr1$, crypt) are refused with the reason instead of never matching.
import { createHash, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';

export type Verifier = (password: string) => boolean;

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function parseHtpasswd(text: string, where: string): { users: Map<string, Verifier>; errors: string[] } {
  const users = new Map<string, Verifier>();
  const errors: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const c = line.indexOf(':');
    if (c <= 0) return void errors.push(`${where} line ${i + 1}: expected user:hash`);
    const user = line.slice(0, c);
    const hash = line.slice(c + 1);
    if (/^\$2[aby]\$\d\d\$/.test(hash)) users.set(user, (pw) => bcrypt.compareSync(pw, hash));
    else if (hash.startsWith('{SHA}')) users.set(user, (pw) => same(createHash('sha1').update(pw).digest('base64'), hash.slice(5)));
    else if (/^\$(apr1|1|5|6)\$/.test(hash) || /^[./0-9A-Za-z]{13}$/.test(hash))
      errors.push(`${where} line ${i + 1}: user "${user}": crypt/MD5 hashes are not supported; use bcrypt (htpasswd -B) or {SHA} (htpasswd -s)`);
    else users.set(user, (pw) => same(pw, hash));
  });
  return { users, errors };
}
