// `telemd completion bash`: a completion script generated from the command specs.
import type { CommandSpec } from './spec.js';

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function valueCompletion(spec: CommandSpec): string {
  const cases: string[] = [];
  for (const [name, f] of Object.entries(spec.flags)) {
    if (!f.value) continue;
    if (f.choices) cases.push(`        ${name}) COMPREPLY=($(compgen -W ${q(f.choices.join(' '))} -- "$cur")); return ;;`);
    else if (f.arg === 'DIR') cases.push(`        ${name}) COMPREPLY=($(compgen -d -- "$cur")); return ;;`);
    else if (f.arg === 'FILE' || f.arg === 'URI') cases.push(`        ${name}) COMPREPLY=($(compgen -f -- "$cur")); return ;;`);
    else cases.push(`        ${name}) return ;;`);
  }
  return cases.length ? `      case "$prev" in\n${cases.join('\n')}\n      esac\n` : '';
}

function positionalCompletion(spec: CommandSpec, topWords: string): string {
  if (spec.complete === 'commands') return `COMPREPLY=($(compgen -W ${q(topWords)} -- "$cur"))`;
  if (spec.complete === 'components') return 'COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" components 2>/dev/null | awk \'/^  /{print $1}\')" -- "$cur"))';
  if (Array.isArray(spec.complete)) return `COMPREPLY=($(compgen -W ${q(spec.complete.join(' '))} -- "$cur"))`;
  return 'COMPREPLY=()';
}

export function bashCompletion(specs: readonly CommandSpec[]): string {
  const tops = [...new Set(specs.filter((s) => !s.hidden).map((s) => s.name.split(' ')[0]!))];
  const groups = new Map<string, string[]>();
  for (const s of specs) {
    const [g, sub] = s.name.split(' ');
    if (sub) groups.set(g!, [...(groups.get(g!) ?? []), sub]);
  }
  const topWords = tops.join(' ');
  const perCommand = specs
    .map((s) => {
      const flags = [...Object.keys(s.flags), '--help'].join(' ');
      return `    ${q(s.name)})\n${valueCompletion(s)}      if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W ${q(flags)} -- "$cur")); else ${positionalCompletion(s, topWords)}; fi ;;`;
    })
    .join('\n');
  const groupCases = [...groups].map(([g, subs]) => `    ${g}) if (( cword == 2 )); then COMPREPLY=($(compgen -W ${q(subs.join(' '))} -- "$cur")); return; fi; cmd="${g} \${COMP_WORDS[2]}" ;;`).join('\n');
  return `# bash completion for telemd, generated from its command specs by \`telemd completion bash\`.
# Install: telemd completion bash > /usr/share/bash-completion/completions/telemd
_telemd() {
  local cur prev cword cmd
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  cword=$COMP_CWORD
  if (( cword == 1 )); then
    if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W '--help --version --config --set' -- "$cur")); else COMPREPLY=($(compgen -W ${q(topWords)} -- "$cur")); fi
    return
  fi
  cmd="\${COMP_WORDS[1]}"
  [[ "$cmd" == -* ]] && cmd=run
  case "$cmd" in
${groupCases}
  esac
  case "$cmd" in
${perCommand}
  esac
}
complete -F _telemd telemd
`;
}
