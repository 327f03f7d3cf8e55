// The peers: Debian's rsyslog (imfile -> omfile) and syslog-ng (file source -> file
// destination). rsyslog is installed with apt; syslog-ng (which conflicts with it) is unpacked
// with `apt-get download` + `dpkg -x` into a scratch folder under /tmp.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Peer {
  name: string;
  proc: ChildProcess;
  out: string;
}

const RSYSLOG_MODDIRS = ['/usr/lib/x86_64-linux-gnu/rsyslog', '/usr/lib/rsyslog'];

export function findRsyslog(): { bin: string; modDir: string } | string {
  const bin = '/usr/sbin/rsyslogd';
  const modDir = RSYSLOG_MODDIRS.find((d) => existsSync(join(d, 'imfile.so')));
  if (!existsSync(bin) || !modDir) return 'rsyslog not installed (apt-get install rsyslog)';
  return { bin, modDir };
}

export function startRsyslog(work: string, input: string, out: string): Peer {
  const r = findRsyslog();
  if (typeof r === 'string') throw new Error(r);
  const state = join(work, 'rsyslog-state');
  mkdirSync(state, { recursive: true });
  const conf = join(work, 'rsyslog.conf');
  writeFileSync(
    conf,
    `global(workDirectory="${state}")
module(load="imfile" mode="inotify")
template(name="msgonly" type="string" string="%msg%\\n")
input(type="imfile" file="${input}" tag="bench" freshStartTail="off")
action(type="omfile" file="${out}" template="msgonly")
`,
  );
  const proc = spawn(r.bin, ['-n', '-f', conf, '-i', join(work, 'rsyslog.pid'), '-M', r.modDir], { stdio: ['ignore', 'ignore', 'pipe'] });
  return { name: 'rsyslog (imfile -> omfile)', proc, out };
}

/** Root of an unpacked syslog-ng, fetching the Debian packages when needed. */
export function findSyslogNg(scratch = '/tmp/telemd-bench-syslogng'): { bin: string; root: string } | string {
  if (existsSync('/usr/sbin/syslog-ng')) return { bin: '/usr/sbin/syslog-ng', root: '/' };
  const root = join(scratch, 'root');
  const bin = join(root, 'usr/sbin/syslog-ng');
  if (!existsSync(bin)) {
    try {
      mkdirSync(scratch, { recursive: true });
      execFileSync('apt-get', ['download', 'syslog-ng-core', 'libivykis0', 'libnet1', 'libpcre3'], { cwd: scratch, stdio: 'ignore' });
      for (const deb of readdirSync(scratch).filter((f) => f.endsWith('.deb'))) execFileSync('dpkg', ['-x', join(scratch, deb), root]);
    } catch (e) {
      return `syslog-ng unavailable (apt-get download failed: ${(e as Error).message})`;
    }
  }
  return existsSync(bin) ? { bin, root } : 'syslog-ng unavailable';
}

export function startSyslogNg(work: string, input: string, out: string): Peer {
  const s = findSyslogNg();
  if (typeof s === 'string') throw new Error(s);
  const conf = join(work, 'syslog-ng.conf');
  writeFileSync(
    conf,
    `@version: 3.38
options { stats-freq(0); };
source s_in { file("${input}" flags(no-parse) follow-freq(1)); };
destination d_out { file("${out}" template("$MSG\\n")); };
log { source(s_in); destination(d_out); };
`,
  );
  const lib = [join(s.root, 'usr/lib/x86_64-linux-gnu'), join(s.root, 'usr/lib/syslog-ng'), join(s.root, 'lib/x86_64-linux-gnu')].join(':');
  const args = ['-F', '-f', conf, '-R', join(work, 'sng.persist'), '-p', join(work, 'sng.pid'), '-c', join(work, 'sng.ctl')];
  if (s.root !== '/') args.push(`--module-path=${join(s.root, 'usr/lib/syslog-ng/3.38')}`);
  const proc = spawn(s.bin, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LD_LIBRARY_PATH: lib } });
  return { name: 'syslog-ng (file -> file)', proc, out };
}
