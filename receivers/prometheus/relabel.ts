// metric_relabel_configs: keep / drop / replace / labeldrop / labelkeep, with Prometheus
// semantics (regexes fully anchored, `$1`/`${1}` in replacements, empty value = no label).
import type { RelabelConfig } from './config.js';

export interface CompiledRelabel {
  cfg: RelabelConfig;
  re: RegExp;
}

export function compileRelabel(cfgs: RelabelConfig[]): CompiledRelabel[] {
  return cfgs.map((cfg) => ({ cfg, re: new RegExp(`^(?:${cfg.regex})$`) }));
}

/** Checks the regexes; returns error messages. */
export function relabelErrors(cfgs: RelabelConfig[]): string[] {
  const errs: string[] = [];
  cfgs.forEach((c, i) => {
    try {
      new RegExp(`^(?:${c.regex})$`);
    } catch (e) {
      errs.push(`metric_relabel_configs[${i}].regex: ${(e as Error).message}`);
    }
    if (c.action === 'replace' && !c.target_label) errs.push(`metric_relabel_configs[${i}]: action replace needs target_label`);
  });
  return errs;
}

function expand(tpl: string, m: RegExpExecArray): string {
  return tpl.replace(/\$(?:\{(\w+)\}|(\d+))/g, (_x, a: string | undefined, b: string | undefined) => {
    const g = a ?? b ?? '';
    return /^\d+$/.test(g) ? (m[Number(g)] ?? '') : (m.groups?.[g] ?? '');
  });
}

/** Applies the rules to `labels` in place; false = drop the sample. */
export function relabel(labels: Map<string, string>, rules: CompiledRelabel[]): boolean {
  for (const { cfg, re } of rules) {
    const src = cfg.source_labels.map((l) => labels.get(l) ?? '').join(cfg.separator);
    switch (cfg.action) {
      case 'keep':
        if (!re.test(src)) return false;
        break;
      case 'drop':
        if (re.test(src)) return false;
        break;
      case 'replace': {
        const m = re.exec(src);
        if (!m || !cfg.target_label) break;
        const target = expand(cfg.target_label, m);
        const v = expand(cfg.replacement, m);
        if (v === '') labels.delete(target);
        else labels.set(target, v);
        break;
      }
      case 'labeldrop':
        for (const k of [...labels.keys()]) if (re.test(k)) labels.delete(k);
        break;
      case 'labelkeep':
        for (const k of [...labels.keys()]) if (!re.test(k) && k !== '__name__') labels.delete(k);
        break;
    }
  }
  return true;
}
