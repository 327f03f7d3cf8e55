// `telemd console [--open]`: a one-time login link to the web console of the running agent (as
// Jupyter prints one). The CLI holds the bearer token; the link trades a single-use token for a
// browser session cookie, so the bearer token itself never reaches the browser or its history.
import { spawn } from 'node:child_process';
import { userInfo } from 'node:os';
import { apiCall, EXIT, findConsole } from './console-client.js';
import { CONNECT_FLAGS, CONSOLE_EXIT_CODES, type CommandSpec } from './spec.js';

function osUser(): string {
  try {
    return process.env.SUDO_USER || userInfo().username;
  } catch {
    return 'console';
  }
}

/** $BROWSER (as Python's webbrowser reads it), else xdg-open; detached, never waited for. */
function openBrowser(url: string): Promise<string | undefined> {
  const cmd = process.env.BROWSER?.split(':')[0] || 'xdg-open';
  return new Promise((resolve) => {
    const p = spawn(cmd, [url], { stdio: 'ignore', detached: true });
    p.on('error', (err) => resolve(`${cmd}: ${err.message}`));
    p.on('spawn', () => {
      p.unref();
      resolve(undefined);
    });
  });
}

export const consoleCommand: CommandSpec = {
  name: 'console',
  usage: 'telemd console [--open] [--config F | --endpoint HOST:PORT --token-file F]',
  summary: 'A one-time login link to the web console of the running agent (--open opens it).',
  details:
    'The link trades a single-use token (valid for the console\'s session.login_ttl, 5 minutes by default)\n' +
    'for a browser session cookie (HttpOnly, SameSite=Strict); the bearer token never reaches the browser.',
  exitCodes: Object.fromEntries(CONSOLE_EXIT_CODES.map((c) => [c, ''])),
  env: { BROWSER: 'the browser --open starts (else xdg-open)' },
  flags: {
    ...CONNECT_FLAGS,
    '--open': { value: false, help: 'open the link in a browser ($BROWSER, else xdg-open)' },
  },
  positional: [0, 0],
  async run(args) {
    const t = findConsole(args);
    const form = new URLSearchParams({ user: osUser() });
    const r = await apiCall<{ path: string; expires: string; ttl_seconds: number }>(t, '/api/v1/session/login_token', form);
    const host = t.host.includes(':') ? `[${t.host}]` : t.host;
    const url = `http://${host}:${t.port}${r.path}`;
    process.stdout.write(`${url}\n`);
    process.stderr.write(`# the link logs one browser in, once, within ${r.ttl_seconds} s (until ${r.expires})\n`);
    if (args.flags.has('--open')) {
      const err = await openBrowser(url);
      if (err) process.stderr.write(`# could not open a browser (${err}); open the link above yourself\n`);
    }
    return EXIT.ok;
  },
};
