// Rule groups other components hand to the alerts connector at run time (the slo connector's
// burn-rate alerts and the recording rules behind them): the Prometheus rule-file format as
// plain objects, registered under the providing component's id. Every running alerts connector
// evaluates every registered group over the series it has seen, so put the provider's output
// pipeline in front of the alerts connector that should evaluate its rules.
import { validateRuleGroups, type GroupSpec, type RuleIssue } from './rulefmt.js';

export interface RuleGroupInput {
  name: string;
  interval?: string;
  limit?: number;
  query_offset?: string;
  rules: Record<string, unknown>[];
}

const providers = new Map<string, GroupSpec[]>();
const listeners = new Set<() => void>();

export class RuleGroupsError extends Error {
  constructor(readonly issues: RuleIssue[]) {
    super(issues.map((i) => i.message).join('; '));
  }
}

/** Checks groups without registering them (a provider's `validate`). */
export function checkRuleGroups(owner: string, groups: readonly RuleGroupInput[]): RuleIssue[] {
  return validateRuleGroups({ groups }, { origin: `provider:${owner}` }).issues;
}

/**
 * Registers (or replaces) `owner`'s groups; throws RuleGroupsError when one is invalid (nothing
 * is registered then). Returns the function that removes them.
 */
export function registerRuleGroups(owner: string, groups: readonly RuleGroupInput[]): () => void {
  const r = validateRuleGroups({ groups }, { origin: `provider:${owner}` });
  if (r.issues.length > 0) throw new RuleGroupsError(r.issues);
  const mine = r.groups;
  providers.set(owner, mine);
  for (const l of listeners) l();
  return () => {
    if (providers.get(owner) !== mine) return;
    providers.delete(owner);
    for (const l of listeners) l();
  };
}

/** Every provider's groups, in registration order. */
export function providedGroups(): GroupSpec[] {
  return [...providers.values()].flat();
}

/** Called whenever a provider registers or removes groups; returns the unsubscribe function. */
export function onProvidedGroupsChange(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
