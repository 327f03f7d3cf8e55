/** A command's parsed arguments (src/cli/spec.ts parses them by the command's spec). */
export interface Args {
  /** The command words and then the positional arguments: ['query', 'up'], ['service', 'install']. */
  command: string[];
  configs: string[];
  sets: string[];
  flags: Set<string>;
  values: Map<string, string>;
}
