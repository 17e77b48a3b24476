// A second copse server process for e2e tests (next to the one `copse up` runs), its metrics, and a
// loopback TCP proxy to kube-apiserver whose open connections can be frozen: bytes stop flowing
// both ways and nothing is closed, as on a half-open TCP connection behind a hung middlebox.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { SERVER_PROCESS, upStack } from '../../cli/stack.js';
import { repoRoot, stateDir } from '../../cluster/paths.js';
import { isRunning, readRecord } from '../../cluster/processes.js';
import { eventually } from './kube.js';

/** A free loopback port (bound and released). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolvePort(port));
    });
  });
}

function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolveGet, reject) => {
    const req = get({ host: '127.0.0.1', port, path, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => resolveGet({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** The value of one Prometheus sample, e.g. `copse_leader{lease="copse-controller-leader"}`; 0 when absent. */
export function sample(metrics: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[3] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) total += Number(m[4]);
  }
  return total;
}

export async function metrics(port: number): Promise<string> {
  const r = await httpGet(port, '/metrics');
  if (r.status !== 200) throw new Error(`GET /metrics on ${port}: ${r.status}`);
  return r.body;
}

export interface SecondServer {
  pid: number;
  port: number;
  metricsPort: number;
  log: string;
  /** The server's log lines parsed as JSON (pino). */
  logLines(): Record<string, unknown>[];
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface SecondServerOptions {
  /** The webhook port (default: a free one), for webhook configurations made before the start. */
  port?: number;
  /** Added to this process's environment, e.g. COPSE_LOG_LEVEL. */
  env?: Record<string, string>;
}

/**
 * `copse serve` against `kubeconfig` on free loopback ports, without --register-local (the webhook
 * configurations keep pointing at the `copse up` server). Resolves once /readyz says ready.
 */
export async function startSecondServer(kubeconfig: string, extraArgs: string[] = [], opts: SecondServerOptions = {}): Promise<SecondServer> {
  const port = opts.port ?? (await freePort());
  const metricsPort = await freePort();
  const extenderPort = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'copse-second-'));
  const log = join(dir, 'server.log');
  const out = createWriteStream(log);
  const child: ChildProcess = spawn(
    process.execPath,
    [join(repoRoot(), 'bin', 'copse.js'), 'serve', '--kubeconfig', kubeconfig, '--host', '127.0.0.1', '--port', String(port), '--metrics-bind-address', `127.0.0.1:${metricsPort}`, '--extender-bind-address', `127.0.0.1:${extenderPort}`, ...extraArgs],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...(opts.env ?? {}) } },
  );
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));
  const pid = child.pid ?? 0;
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    if (exited === undefined) {
      child.kill(signal);
      await new Promise<void>((r) => (exited !== undefined ? r() : child.once('exit', () => r())));
    }
    out.end();
  };
  try {
    await eventually(
      `second copse server on ${port} to be ready`,
      async () => {
        if (exited !== undefined) throw new Error(`exited with ${exited}:\n${readFileSync(log, 'utf8').slice(-2000)}`);
        return (await httpGet(metricsPort, '/readyz').catch(() => ({ status: 0 }))).status === 200;
      },
      180_000,
      500,
    );
  } catch (err) {
    await stop('SIGKILL');
    throw err;
  }
  return {
    pid,
    port,
    metricsPort,
    log,
    logLines: () =>
      readFileSync(log, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    stop: async (signal) => {
      await stop(signal);
      if (signal !== 'SIGKILL') rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface Pair {
  client: Socket;
  upstream: Socket;
  frozen: boolean;
}

export interface FreezableProxy {
  port: number;
  /** Connections opened so far. */
  connections(): number;
  /** Stops forwarding on every connection open now; later connections work. Returns how many were frozen. */
  freeze(): number;
  /** Frozen connections the client side has since closed (e.g. a watchdog gave up on them). */
  frozenClosedByClient(): number;
  close(): Promise<void>;
}

/** A TCP proxy on 127.0.0.1 to 127.0.0.1:`target`. */
export async function freezableProxy(target: number): Promise<FreezableProxy> {
  const pairs = new Set<Pair>();
  let opened = 0;
  let closedWhileFrozen = 0;
  const server: Server = createServer((client) => {
    opened++;
    const upstream = connect(target, '127.0.0.1');
    const pair: Pair = { client, upstream, frozen: false };
    pairs.add(pair);
    const forward = (from: Socket, to: Socket) =>
      from.on('data', (chunk: Buffer) => {
        if (pair.frozen) return; // dropped: the other side never hears of it
        to.write(chunk);
      });
    forward(client, upstream);
    forward(upstream, client);
    client.on('close', () => {
      if (pair.frozen) closedWhileFrozen++;
      else upstream.destroy();
      pairs.delete(pair);
      if (pair.frozen) upstream.destroy();
    });
    // A frozen connection hears nothing of the server going away either.
    upstream.on('close', () => void (pair.frozen || client.destroy()));
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    connections: () => opened,
    freeze: () => {
      let n = 0;
      for (const p of pairs) {
        if (p.frozen) continue;
        p.frozen = true;
        n++;
      }
      return n;
    },
    frozenClosedByClient: () => closedWhileFrozen,
    close: async () => {
      for (const p of pairs) {
        p.client.destroy();
        p.upstream.destroy();
      }
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A copy of `kubeconfig` whose server is https://127.0.0.1:`port` (a proxy in front of the apiserver). */
export function kubeconfigVia(kubeconfig: string, port: number): { path: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'copse-kc-'));
  const path = join(dir, 'kubeconfig');
  const text = readFileSync(kubeconfig, 'utf8').replace(/server: https:\/\/127\.0\.0\.1:\d+/g, `server: https://127.0.0.1:${port}`);
  writeFileSync(path, text, { mode: 0o600 });
  return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** kill -9 the `copse up` server; resolves with its pid once it is gone. */
export async function killServer(): Promise<number> {
  const rec = readRecord(stateDir(), SERVER_PROCESS);
  if (!rec || !isRunning(rec)) throw new Error('the copse server is not running');
  process.kill(rec.pid, 'SIGKILL');
  await eventually('the copse server to be gone', async () => !isRunning(rec));
  return rec.pid;
}

/** What `copse up` does after a crash: start the server again (a new process, not the killed one). */
export async function restartServer(killed: number): Promise<void> {
  await upStack({ log: () => {} });
  expect(readRecord(stateDir(), SERVER_PROCESS)?.pid).not.toBe(killed);
}
