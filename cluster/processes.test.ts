import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  changedFlags,
  isRecordedProcess,
  isRunning,
  observeProcess,
  parseCmdline,
  parseStat,
  readRecord,
  startedWith,
  startProcess,
  stopProcess,
  type ProcessObservation,
  type ProcessRecord,
} from './processes.js';

const rec = (over: Partial<ProcessRecord> = {}): ProcessRecord => ({
  name: 'copse-server',
  pid: 4242,
  command: '/usr/bin/node',
  args: ['/repo/bin/copse.js', 'serve', '--port', '20005'],
  startedAt: '2026-01-01T00:00:00.000Z',
  log: '/state/logs/copse-server.log',
  startTicks: '123456',
  bootId: 'boot-a',
  ...over,
});
const seen = (over: Partial<ProcessObservation> = {}): ProcessObservation => ({
  argv: ['/usr/bin/node', '/repo/bin/copse.js', 'serve', '--port', '20005'],
  state: 'S',
  startTicks: '123456',
  bootId: 'boot-a',
  ...over,
});

describe('which live process a record names', () => {
  it('the process copse started: same argv, same start time, same boot', () => {
    expect(isRecordedProcess(rec(), seen())).toBe(true);
  });

  it('an unrelated node program that reused the pid is not it, though argv0 matches', () => {
    expect(isRecordedProcess(rec(), seen({ argv: ['/usr/bin/node', '/home/u/other-app.js'], startTicks: '999999' }))).toBe(false);
    expect(isRecordedProcess(rec(), seen({ argv: ['/usr/bin/node', '/home/u/other-app.js'] }))).toBe(false);
  });

  it('a later process with the very same command line is not it (start time differs)', () => {
    expect(isRecordedProcess(rec(), seen({ startTicks: '123999' }))).toBe(false);
    expect(isRecordedProcess(rec(), seen({ bootId: 'boot-b' }))).toBe(false);
  });

  it('extra or missing arguments do not match', () => {
    expect(isRecordedProcess(rec(), seen({ argv: [...seen().argv, '--extra'] }))).toBe(false);
    expect(isRecordedProcess(rec(), seen({ argv: seen().argv.slice(0, -1) }))).toBe(false);
  });

  it('a zombie or a missing pid is not running', () => {
    expect(isRecordedProcess(rec(), seen({ state: 'Z' }))).toBe(false);
    expect(isRecordedProcess(rec(), undefined)).toBe(false);
  });

  it('a record without a start time (older copse) needs the full command line', () => {
    const { startTicks: _t, bootId: _b, ...legacy } = rec();
    expect(isRecordedProcess(legacy, seen({ startTicks: '1' }))).toBe(true);
    expect(isRecordedProcess(legacy, seen({ argv: ['/usr/bin/node', '/home/u/other-app.js'] }))).toBe(false);
  });

  it('an empty start time (the child died before it was observed) matches nothing', () => {
    expect(isRecordedProcess(rec({ startTicks: '' }), seen())).toBe(false);
  });
});

describe('/proc parsing', () => {
  it('splits cmdline at NULs, keeping empty arguments', () => {
    expect(parseCmdline('/bin/etcd\0--name=copse\0\0--x\0')).toEqual(['/bin/etcd', '--name=copse', '', '--x']);
    expect(parseCmdline('')).toEqual([]);
  });

  it('reads state and start time after a command name holding spaces and parentheses', () => {
    const fields = ['S', ...Array.from({ length: 18 }, (_, i) => String(i + 4)), '7777', '100', '200'];
    expect(parseStat(`1234 (my (odd) name) ${fields.join(' ')}\n`)).toEqual({ state: 'S', startTicks: '7777' });
    expect(parseStat('garbage')).toBeUndefined();
  });

  it('observes this very process', () => {
    const me = observeProcess(process.pid);
    expect(me?.argv[0]).toBe(readFileSync(`/proc/${process.pid}/cmdline`, 'utf8').split('\0')[0]);
    expect(me?.startTicks).toMatch(/^\d+$/);
    expect(me?.bootId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('restart decisions', () => {
  it('a running component keeps running only with the very same binary and arguments', () => {
    const r = rec({ command: '/cache/kubernetes-v1.37.2-aaa/kube-apiserver', args: ['--a=1', '--b=2'] });
    expect(startedWith(r, r.command, ['--a=1', '--b=2'])).toBe(true);
    expect(startedWith(r, r.command, ['--a=1', '--b=2', '--feature-gates=GenericWorkload=true'])).toBe(false);
    expect(startedWith(r, r.command, ['--b=2', '--a=1'])).toBe(false);
    expect(startedWith(r, '/cache/kubernetes-v1.37.2-bbb/kube-apiserver', ['--a=1', '--b=2'])).toBe(false);
  });

  it('names the flags that changed', () => {
    expect(changedFlags(['--etcd-servers=http://x', '--v=1'], ['--etcd-servers=https://x', '--etcd-cafile=/ca', '--v=1'])).toEqual(['--etcd-cafile', '--etcd-servers']);
    expect(changedFlags(['--a'], ['--a'])).toEqual([]);
  });
});

describe('start and stop real processes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'copse-proc-'));
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  const sleeper = ['-e', 'setInterval(() => {}, 1000)'];

  it('records the start time and stops what it started', async () => {
    const r = startProcess(dir, 'sleeper', process.execPath, sleeper);
    expect(r.startTicks).toMatch(/^\d+$/);
    expect(isRunning(r)).toBe(true);
    expect(await stopProcess(dir, 'sleeper', 2000)).toBe(true);
    expect(isRunning(r)).toBe(false);
    expect(readRecord(dir, 'sleeper')).toBeUndefined();
  });

  it('never signals another node program that holds the recorded pid', async () => {
    // Another program, not started by copse, under the pid a stale record names.
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'not-copse'], { stdio: 'ignore' });
    children.push(other);
    await new Promise((r) => other.once('spawn', r));
    const stale = rec({ name: 'copse-server', pid: other.pid ?? -1, command: process.execPath, args: [join(dir, 'bin', 'copse.js'), 'serve'] });
    writeFileSync(join(dir, 'run', 'copse-server.json'), JSON.stringify(stale));
    expect(await stopProcess(dir, 'copse-server', 500)).toBe(false);
    expect(other.exitCode).toBeNull();
    expect(other.signalCode).toBeNull();
    expect(observeProcess(other.pid ?? -1)?.argv).toEqual([process.execPath, '-e', 'setInterval(() => {}, 1000)', 'not-copse']);
  });
});
