// Starts long-running local processes detached from the CLI and stops exactly
// those again. Each start records pid, argv and start time in <state>/run/<name>.json;
// stop re-checks /proc/<pid>/cmdline before signalling, so a pid that the kernel
// has since handed to another program is never killed.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ProcessRecord {
  name: string;
  pid: number;
  command: string;
  args: string[];
  startedAt: string;
  log: string;
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

/** True when the recorded pid is alive and still runs the recorded command. */
export function isRunning(rec: ProcessRecord): boolean {
  try {
    const cmdline = readFileSync(`/proc/${rec.pid}/cmdline`, 'utf8');
    const argv0 = cmdline.split('\0')[0] ?? '';
    if (argv0 !== rec.command) return false;
    const stat = readFileSync(`/proc/${rec.pid}/stat`, 'utf8');
    // State field follows the parenthesised comm; Z means the process already exited.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z';
  } catch {
    return false;
  }
}

export function startProcess(stateDir: string, name: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): ProcessRecord {
  mkdirSync(runDir(stateDir), { recursive: true });
  const logDir = join(stateDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const log = join(logDir, `${name}.log`);
  const fd = openSync(log, 'a');
  try {
    const child = spawn(command, args, { detached: true, stdio: ['ignore', fd, fd], env });
    if (child.pid === undefined) throw new Error(`failed to start ${name} (${command})`);
    child.unref();
    const rec: ProcessRecord = { name, pid: child.pid, command, args, startedAt: new Date().toISOString(), log };
    writeFileSync(recordPath(stateDir, name), JSON.stringify(rec, null, 2));
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
