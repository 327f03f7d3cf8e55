// The commands that talk to a running agent's console: query, tap, top, console, alerts.
import { consoleCommand } from './console-command.js';
import { queryCommand } from './query-command.js';
import type { CommandSpec } from './spec.js';
import { tapCommand } from './tap-command.js';
import { topCommand } from './top-command.js';
import { alertsAckCommand, alertsListCommand, alertsResolveCommand } from './alerts-command.js';
import { sloReportCommand } from './slo-command.js';

export const CONSOLE_COMMANDS: readonly CommandSpec[] = [queryCommand, tapCommand, topCommand, consoleCommand, alertsListCommand, alertsAckCommand, alertsResolveCommand, sloReportCommand];
