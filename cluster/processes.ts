// Starts long-running local processes detached from the CLI and stops exactly
// those again. Each start records pid, argv, and the kernel's start time of the
// process in <state>/run/<name>.json. Before any signal the live process must match
// all of them: argv0 alone is not enough (the copse server's is `node`, shared with
// every other Node program), and a pid the kernel has handed to another program,
// even one started with the same command line, has another start time.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { mkdirPrivate, openPrivate, writePrivate } from './private-files.js';

export interface ProcessRecord {
  name: string;
  pid: number;
  command: string;
  args: string[];
  startedAt: string;
  log: string;
  /**
   * The process's start time in clock ticks since boot (/proc/<pid>/stat field 22)
   * and the boot it belongs to; together with the pid they name one process for
   * good. Absent in records written by older copse versions.
   */
  startTicks?: string;
  bootId?: string;
}

/** What /proc says about a live pid. */
export interface ProcessObservation {
  argv: string[];
  /** Scheduler state letter (R, S, D, Z, ...). */
  state: string;
  startTicks: string;
  bootId: string;
}

function runDir(stateDir: string): string {
  return join(stateDir, 'run');
}

function recordPath(stateDir: string, name: string): string {
  return join(runDir(stateDir), `${name}.json`);
}

export function readRecord(stateDir: string, name: string): ProcessRecord | undefined {
  const path = recordPath(stateDir, name);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as ProcessRecord;
  } catch {
    return undefined;
  }
}

export function listRecords(stateDir: string): ProcessRecord[] {
  const dir = runDir(stateDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => readRecord(stateDir, f.slice(0, -5)))
    .filter((r): r is ProcessRecord => r !== undefined);
}

/** /proc/<pid>/cmdline as argv: NUL-separated, with a trailing NUL. */
export function parseCmdline(raw: string): string[] {
  const parts = raw.split('\0');
  if (parts.at(-1) === '') parts.pop();
  return parts;
}

/** State and start time from /proc/<pid>/stat; the command name in parentheses may itself hold spaces and parentheses. */
export function parseStat(raw: string): { state: string; startTicks: string } | undefined {
  const close = raw.lastIndexOf(')');
  if (close < 0) return undefined;
  // Fields after the name start at field 3 (state); starttime is field 22.
  const fields = raw.slice(close + 2).trim().split(' ');
  const state = fields[0];
  const startTicks = fields[22 - 3];
  if (!state || !startTicks || !/^\d+$/.test(startTicks)) return undefined;
  return { state, startTicks };
}

function readBootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return '';
  }
}

/** The live process behind a pid, or undefined when there is none. */
export function observeProcess(pid: number): ProcessObservation | undefined {
  try {
    const argv = parseCmdline(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
    const stat = parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    if (!stat) return undefined;
    return { argv, ...stat, bootId: readBootId() };
  } catch {
    return undefined;
  }
}

/**
 * Whether a live process is the one a record describes: the full command line must
 * match, and so must the start time when the record has one. Exited (zombie)
 * processes are not running.
 */
export function isRecordedProcess(rec: ProcessRecord, seen: ProcessObservation | undefined): boolean {
  if (!seen || seen.state === 'Z' || seen.state === 'X') return false;
  if (!sameCommandLine(rec.command, rec.args, seen.argv)) return false;
  if (rec.startTicks === undefined) return true;
  return rec.startTicks === seen.startTicks && (rec.bootId === undefined || rec.bootId === seen.bootId);
}

function sameCommandLine(command: string, args: readonly string[], argv: readonly string[]): boolean {
  return argv.length === args.length + 1 && argv[0] === command && args.every((a, i) => argv[i + 1] === a);
}

/** Whether a recorded process was started with exactly this command line (else it must be restarted to apply a new one). */
export function startedWith(rec: ProcessRecord, command: string, args: readonly string[]): boolean {
  return sameCommandLine(command, args, [rec.command, ...rec.args]);
}

/** The flag names (`--name`) that differ between two command lines, for a log line that says why something restarts. */
export function changedFlags(before: readonly string[], after: readonly string[]): string[] {
  const name = (a: string) => a.split('=')[0] ?? a;
  const a = new Set(before);
  const b = new Set(after);
  const names = [...before.filter((x) => !b.has(x)), ...after.filter((x) => !a.has(x))].map(name);
  return [...new Set(names)].sort();
}

/** True when the recorded process is alive and is still the one copse started. */
export function isRunning(rec: ProcessRecord): boolean {
  return isRecordedProcess(rec, observeProcess(rec.pid));
}

export function startProcess(stateDir: string, name: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): ProcessRecord {
  mkdirPrivate(runDir(stateDir));
  const logDir = join(stateDir, 'logs');
  mkdirPrivate(logDir);
  const log = join(logDir, `${name}.log`);
  const fd = openPrivate(log, 'a');
  try {
    // The components write into the owner-only state directory with modes of their own choosing
    // (etcd's snapshot files are 0666 before the umask): they inherit an owner-only umask.
    const umask = process.umask(0o077);
    let child;
    try {
      child = spawn(command, args, { detached: true, stdio: ['ignore', fd, fd], env });
    } finally {
      process.umask(umask);
    }
    if (child.pid === undefined) throw new Error(`failed to start ${name} (${command})`);
    child.unref();
    // spawn returns after exec, so /proc already shows the new program. A child that
    // died at once gets an empty start time, which no live process matches.
    const seen = observeProcess(child.pid);
    const rec: ProcessRecord = {
      name,
      pid: child.pid,
      command,
      args,
      startedAt: new Date().toISOString(),
      log,
      startTicks: seen?.startTicks ?? '',
      bootId: seen?.bootId ?? readBootId(),
    };
    writePrivate(recordPath(stateDir, name), JSON.stringify(rec, null, 2));
    return rec;
  } finally {
    closeSync(fd);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGTERM, wait, then SIGKILL. Returns whether a live process was stopped. */
export async function stopProcess(stateDir: string, name: string, graceMs = 10_000): Promise<boolean> {
  const rec = readRecord(stateDir, name);
  if (!rec) return false;
  let stopped = false;
  if (isRunning(rec)) {
    stopped = true;
    try {
      process.kill(rec.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    const deadline = Date.now() + graceMs;
    while (isRunning(rec) && Date.now() < deadline) await sleep(100);
    if (isRunning(rec)) {
      try {
        process.kill(rec.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
      while (isRunning(rec)) await sleep(50);
    }
  }
  rmSync(recordPath(stateDir, name), { force: true });
  return stopped;
}

export function tailLog(path: string, lines = 20): string {
  if (!existsSync(path)) return '';
  const all = readFileSync(path, 'utf8').split('\n');
  return all.slice(Math.max(0, all.length - lines - 1)).join('\n');
}
