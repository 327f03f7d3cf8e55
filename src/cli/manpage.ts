// `man telemd`: roff generated from the command specs (the same source as --help). The build
// writes it to dist/telemd.1; the npm package (`man`) and the .deb install it.
import { VERSION } from '../version.js';
import { exitCodes, type CommandSpec } from './spec.js';

/** Text for roff: backslashes and hyphens escaped, no line starting with a control character. */
function r(text: string): string {
  return text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .split('\n')
    .map((l) => (/^[.']/.test(l) ? `\\&${l}` : l))
    .join('\n');
}

function para(text: string): string {
  // Specs wrap their paragraphs for the terminal; roff fills lines itself.
  return r(text.replace(/\n(?!\n)/g, ' '));
}

export function manPage(specs: readonly CommandSpec[]): string {
  const out: string[] = [];
  out.push(`.TH TELEMD 1 "" "telemd ${VERSION}" "User Commands"`);
  out.push('.SH NAME', 'telemd \\- per\\-host telemetry agent in the style of the OpenTelemetry Collector');
  out.push('.SH SYNOPSIS');
  for (const s of specs.filter((x) => !x.hidden)) out.push('.br', r(s.usage));
  out.push('.SH DESCRIPTION');
  out.push(
    para(
      'telemd collects host metrics, logs and traces and sends them on through pipelines of receivers, processors and exporters, configured by the same YAML as the OpenTelemetry Collector. Without a command it runs the agent. Every command takes -h or --help; telemd help COMMAND prints what this page says about it.',
    ),
  );
  out.push('.SH COMMANDS');
  for (const s of specs) {
    out.push(`.SS ${r(s.name)}`, r(s.usage));
    if (s.summary) out.push('.PP', para(s.summary));
    if (s.details) out.push('.PP', para(s.details));
    for (const [name, f] of Object.entries(s.flags)) {
      out.push('.TP', f.value ? `.BI "${r(name)} " "${r(f.arg ?? 'VALUE')}"` : `.B ${r(name)}`);
      out.push(para(f.help + (f.repeat ? ' (repeatable)' : '') + (f.choices ? ` (${f.choices.join(', ')})` : '')));
    }
    const codes = exitCodes(s).filter(([c]) => c !== 0 && c !== 64);
    if (codes.length) out.push('.PP', `Exit codes: ${codes.map(([c, m]) => `${c} (${para(m)})`).join('; ')}.`);
  }
  const allCodes = new Map<number, string>();
  for (const s of specs) for (const [c, m] of exitCodes(s)) if (!allCodes.has(c) || c === 0) allCodes.set(c, c === 0 ? 'success' : m);
  out.push('.SH EXIT STATUS');
  for (const [c, m] of [...allCodes].sort((a, b) => a[0] - b[0])) out.push('.TP', `.B ${c}`, para(m));
  out.push('.SH ENVIRONMENT');
  const env = new Map<string, string>();
  for (const s of specs) for (const [k, v] of Object.entries(s.env ?? {})) if (!env.has(k)) env.set(k, v);
  for (const [k, v] of env) out.push('.TP', `.B ${r(k)}`, para(v));
  out.push('.SH SIGNALS');
  for (const s of specs) for (const [k, v] of Object.entries(s.signals ?? {})) out.push('.TP', `.B ${r(k)} (${r(s.name)})`, para(v));
  out.push('.SH FILES');
  for (const [f, what] of [
    ['/etc/telemd/config.yaml', 'the service\'s config'],
    ['/var/lib/telemd', 'state: checkpoints, persistent queues, history, telemetry.jsonl of the default config'],
    ['/lib/systemd/system/telemd.service', 'the unit (Debian package); telemd service install writes /etc/systemd/system/telemd.service'],
  ])
    out.push('.TP', `.B ${r(f!)}`, para(what!));
  out.push('.SH SEE ALSO', 'systemctl(1), journalctl(1), the README of each component: telemd components lists them.');
  return out.join('\n') + '\n';
}
