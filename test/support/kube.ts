// Helpers for end-to-end tests against the real local control plane.
import { AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { binaryPath } from '../../cluster/upstream.js';

export interface Clients {
  kc: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  custom: CustomObjectsApi;
}

export function clients(kubeconfig: string): Clients {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  return { kc, core: kc.makeApiClient(CoreV1Api), apps: kc.makeApiClient(AppsV1Api), custom: kc.makeApiClient(CustomObjectsApi) };
}

/** A fresh namespace per test file; the returned function deletes it. */
export async function testNamespace(core: CoreV1Api, prefix: string): Promise<{ name: string; cleanup: () => Promise<void> }> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  await core.createNamespace({ body: { metadata: { name, labels: { 'copse.io/test': 'true' } } } });
  return {
    name,
    cleanup: async () => {
      try {
        await core.deleteNamespace({ name });
      } catch {
        /* already gone */
      }
    },
  };
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Run kubectl (the pinned one unless `bin` is given) against the test cluster.
 * Asynchronous on purpose: a synchronous child would block this process's event
 * loop, and with it any server a test runs in-process that the apiserver calls back.
 */
export function kubectl(kubeconfig: string, args: string[], opts: { input?: string; bin?: string } = {}): Promise<KubectlResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(opts.bin ?? binaryPath('kubectl'), ['--kubeconfig', kubeconfig, ...args]);
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolveRun({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** Poll until `fn` returns a value that is not undefined/false, or fail with the last observation. */
export async function eventually<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 30_000, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      lastError = e;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}
