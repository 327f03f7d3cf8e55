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

/**
 * Each peer at its defaults and with its batching settings raised (the figures of a peer are
 * the best of these): rsyslog's imfile MaxSubmitAtOnce, the main queue's dequeue batch, omfile's
 * asyncWriting with a 1 MiB ioBufferSize and no flush at each transaction's end; syslog-ng's
 * log-fetch-limit and log-iw-size (source), flush-lines and log-fifo-size (destination).
 */
export type PeerSettings = 'defaults' | 'batching';

export function startRsyslog(work: string, input: string, out: string, settings: PeerSettings = 'defaults'): Peer {
  const r = findRsyslog();
  if (typeof r === 'string') throw new Error(r);
  const state = join(work, 'rsyslog-state');
  mkdirSync(state, { recursive: true });
  const conf = join(work, 'rsyslog.conf');
  writeFileSync(
    conf,
    settings === 'defaults'
      ? `global(workDirectory="${state}")
module(load="imfile" mode="inotify")
template(name="msgonly" type="string" string="%msg%\\n")
input(type="imfile" file="${input}" tag="bench" freshStartTail="off")
action(type="omfile" file="${out}" template="msgonly")
`
      : `global(workDirectory="${state}")
main_queue(queue.size="200000" queue.dequeueBatchSize="4096")
module(load="imfile" mode="inotify")
template(name="msgonly" type="string" string="%msg%\\n")
input(type="imfile" file="${input}" tag="bench" freshStartTail="off" MaxSubmitAtOnce="4096")
action(type="omfile" file="${out}" template="msgonly" asyncWriting="on" ioBufferSize="1m" flushOnTXEnd="off" flushInterval="1")
`,
  );
  const proc = spawn(r.bin, ['-n', '-f', conf, '-i', join(work, 'rsyslog.pid'), '-M', r.modDir], { stdio: ['ignore', 'ignore', 'pipe'] });
  return { name: `rsyslog (imfile -> omfile, ${settings})`, proc, out };
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

export function startSyslogNg(work: string, input: string, out: string, settings: PeerSettings = 'defaults'): Peer {
  const s = findSyslogNg();
  if (typeof s === 'string') throw new Error(s);
  const conf = join(work, 'syslog-ng.conf');
  writeFileSync(
    conf,
    settings === 'defaults'
      ? `@version: 3.38
options { stats-freq(0); };
source s_in { file("${input}" flags(no-parse) follow-freq(1)); };
destination d_out { file("${out}" template("$MSG\\n")); };
log { source(s_in); destination(d_out); };
`
      : `@version: 3.38
options { stats-freq(0); };
source s_in { file("${input}" flags(no-parse) follow-freq(1) log-fetch-limit(10000) log-iw-size(200000)); };
destination d_out { file("${out}" template("$MSG\\n") flush-lines(10000) log-fifo-size(200000)); };
log { source(s_in); destination(d_out); };
`,
  );
  const lib = [join(s.root, 'usr/lib/x86_64-linux-gnu'), join(s.root, 'usr/lib/syslog-ng'), join(s.root, 'lib/x86_64-linux-gnu')].join(':');
  const args = ['-F', '-f', conf, '-R', join(work, 'sng.persist'), '-p', join(work, 'sng.pid'), '-c', join(work, 'sng.ctl')];
  if (s.root !== '/') args.push(`--module-path=${join(s.root, 'usr/lib/syslog-ng/3.38')}`);
  const proc = spawn(s.bin, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LD_LIBRARY_PATH: lib } });
  return { name: `syslog-ng (file -> file, ${settings})`, proc, out };
}
