// `${env:VAR}`, `${env:VAR:-default}`, `${VAR}` and `$$` in config values, as the Collector does.
import { parse as parseYaml } from 'yaml';

export interface ExpandIssue {
  path: (string | number)[];
  message: string;
}

const REF = /\$\$|\$\{([^}]*)\}/g;

function resolveRef(ref: string, env: NodeJS.ProcessEnv): { value?: string; error?: string } {
  let body = ref;
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):(.*)$/.exec(ref);
  if (scheme) {
    if (scheme[1] !== 'env') return { error: `unsupported config provider "${scheme[1]}" in \${${ref}} (telemd supports env)` };
    body = scheme[2]!;
  }
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s.exec(body);
  if (!m) return { error: `invalid reference \${${ref}}` };
  const v = env[m[1]!];
  if (v !== undefined && v !== '') return { value: v };
  if (m[2] !== undefined) return { value: m[2] };
  return { value: v ?? '' };
}

function expandString(text: string, env: NodeJS.ProcessEnv, onError: (msg: string) => void): unknown {
  const whole = /^\$\{([^}]*)\}$/.exec(text);
  if (whole) {
    const r = resolveRef(whole[1]!, env);
    if (r.error) {
      onError(r.error);
      return text;
    }
    // A value that is only a reference takes the YAML type of what it expands to (e.g. a port).
    try {
      const typed: unknown = parseYaml(r.value!);
      return typed === null || typeof typed === 'object' ? r.value : typed;
    } catch {
      return r.value;
    }
  }
  return text.replace(REF, (all, ref: string | undefined) => {
    if (all === '$$') return '$';
    const r = resolveRef(ref ?? '', env);
    if (r.error) {
      onError(r.error);
      return all;
    }
    return r.value!;
  });
}

/** Expands references in every string value (not keys). */
export function expandEnv(value: unknown, env: NodeJS.ProcessEnv, issues: ExpandIssue[], path: (string | number)[] = []): unknown {
  if (typeof value === 'string') {
    if (!value.includes('$')) return value;
    return expandString(value, env, (message) => issues.push({ path, message }));
  }
  if (Array.isArray(value)) return value.map((v, i) => expandEnv(v, env, issues, [...path, i]));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = expandEnv(v, env, issues, [...path, k]);
    return out;
  }
  return value;
}
