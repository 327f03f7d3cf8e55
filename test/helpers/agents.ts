// Spawned agents that never outlive their test (kept apart from agent.ts, which benches import
// outside vitest).
import { afterEach } from 'vitest';
import { startAgent, type Agent, type StartOptions } from './agent.js';

/** startAgent whose agents are SIGKILLed after the test that started them, passed or failed. */
export function agentsKilledAfterEach(): (opts: StartOptions) => Promise<Agent> {
  const running: Agent[] = [];
  afterEach(async () => {
    for (const a of running.splice(0)) await a.kill9();
  });
  return async (opts) => {
    const agent = await startAgent(opts);
    running.push(agent);
    return agent;
  };
}
