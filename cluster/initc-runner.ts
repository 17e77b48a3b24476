// The local init-container runner: on the embedded control plane, simulated (kwok) nodes run no
// containers, so this process runs copse's startup-ordering init program for the pods bound to
// them. For each pod labelled for the startup webhook whose `grove-initc` runs `copse initc`, it
//  - writes the container's downward-API files and a token for the ServiceAccount named by the
//    token Secret the container mounts (a TokenRequest bound to that Secret), with the cluster CA, into
//    a private folder (0700) under the state directory, where a kubelet would mount them;
//  - runs `node bin/copse.js initc <the container's arguments>` with flags pointing at those files
//    and at the local API, i.e. the very program the container image runs;
//  - reports the exit on the pod (annotations in cluster/initc-plan.ts), which kwok's stages turn
//    into the init container's status (cluster/kwok-stages.ts).
// A deleted pod's program is stopped. `copse cluster up` starts this as a recorded background
// process, so `copse down` stops it; nothing of it is needed, or installed, on a real cluster.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { constants as osConstants } from 'node:os';
import type { Node, Pod, Secret } from '../api/core/wire.js';
import { ANNOTATION_SERVICE_ACCOUNT_NAME } from '../api/desired/rbac.js';
import { LABEL_STARTUP_WAIT, LABEL_STARTUP_WAIT_VALUE } from '../api/keys.js';
import { Informer, stripManagedFields } from '../controllers/runtime/informer.js';
import { loadKubeConfig } from '../kube/client.js';
import { DynamicClient, FIELD_MANAGERS } from '../kube/dynamic.js';
import { KubeError } from '../kube/errors.js';
import { KubeHttp } from '../kube/http.js';
import type { Logger } from '../kube/log.js';
import { RESOURCES, resourcePath } from '../kube/resources.js';
import { downwardApiFiles, initContainerOf, initcArgs, mountPlan, resultAnnotations, shouldRun, tailBytes, type InitcExit, type MountPlan } from './initc-plan.js';
import { repoRoot } from './paths.js';
import { mkdirPrivate, writePrivate } from './private-files.js';
import { KWOK_ANNOTATION, SIMULATED_LABEL } from './topology.js';

export interface InitcRunnerOptions {
  kubeconfig: string;
  /** The cluster CA, written as the token's ca.crt. */
  caFile: string;
  /** The API address the program is pointed at. */
  server: string;
  /** Private folder for the per-pod files. */
  workDir: string;
  log: Logger;
  /** Seconds the issued tokens are valid (TokenRequest minimum: 600). */
  tokenSeconds?: number;
}

export interface InitcRunner {
  stop(): Promise<void>;
}

interface Run {
  child?: ChildProcess;
  cancelled: boolean;
}

const RETRY_MS = 1_000;
const OUTPUT_KEEP_BYTES = 16 * 1024;

function signalExitCode(signal: NodeJS.Signals | null): number {
  const n = signal ? (osConstants.signals as Record<string, number>)[signal] : undefined;
  return 128 + (n ?? 0);
}

export async function startInitcRunner(o: InitcRunnerOptions): Promise<InitcRunner> {
  const http = new KubeHttp(loadKubeConfig({ kubeconfig: o.kubeconfig }), { qps: 50, burst: 100 });
  const client = new DynamicClient(http, FIELD_MANAGERS.cluster);
  const runs = new Map<string, Run>();
  const retries = new Map<string, NodeJS.Timeout>();
  // Pods reported on: the cache may still hand us an older copy without the report.
  const reported = new Set<string>();
  let stopping = false;
  mkdirPrivate(o.workDir);

  const nodes = new Informer<Node>(client, { resource: RESOURCES.nodes, labelSelector: `${SIMULATED_LABEL}=kwok`, transform: stripManagedFields, log: o.log });
  const pods = new Informer<Pod>(client, {
    resource: RESOURCES.pods,
    labelSelector: `${LABEL_STARTUP_WAIT}=${LABEL_STARTUP_WAIT_VALUE}`,
    transform: stripManagedFields,
    log: o.log,
  });
  const isSimulatedNode = (name: string): boolean => nodes.store.getByName(undefined, name)?.metadata?.annotations?.[KWOK_ANNOTATION] === 'fake';

  const consider = (pod: Pod): void => {
    const uid = pod.metadata?.uid ?? '';
    if (stopping || !uid || runs.has(uid) || retries.has(uid) || reported.has(uid) || !shouldRun(pod, isSimulatedNode)) return;
    const run: Run = { cancelled: false };
    runs.set(uid, run);
    void launch(pod, run).catch((err: unknown) => {
      if (runs.get(uid) === run) runs.delete(uid);
      if (stopping || run.cancelled) return;
      o.log.warn({ pod: `${pod.metadata?.namespace}/${pod.metadata?.name}`, err: (err as Error).message }, 'cannot run copse initc yet; retrying');
      // Retry with the pod as the cache holds it then (its Secret may not be filled in yet, say).
      retries.set(
        uid,
        setTimeout(() => {
          retries.delete(uid);
          const current = pods.store.getByName(pod.metadata?.namespace, pod.metadata?.name ?? '');
          if (current) consider(current);
        }, RETRY_MS),
      );
    });
  };

  const cancel = (pod: Pod): void => {
    const uid = pod.metadata?.uid ?? '';
    const run = runs.get(uid);
    if (run) {
      run.cancelled = true;
      run.child?.kill('SIGTERM');
      runs.delete(uid);
    }
    const t = retries.get(uid);
    if (t) clearTimeout(t);
    retries.delete(uid);
    reported.delete(uid);
  };

  /** A token of the ServiceAccount the mounted token Secret belongs to, bound to that Secret. */
  async function tokenFor(pod: Pod, secretName: string): Promise<string> {
    const ns = pod.metadata?.namespace ?? '';
    const secret = await client.get<Secret>(RESOURCES.secrets, secretName, ns);
    const sa = secret.metadata?.annotations?.[ANNOTATION_SERVICE_ACCOUNT_NAME];
    if (!sa) throw new Error(`Secret ${ns}/${secretName} names no ServiceAccount (annotation ${ANNOTATION_SERVICE_ACCOUNT_NAME})`);
    const res = await http.request({
      method: 'POST',
      path: resourcePath(RESOURCES.serviceAccounts, { namespace: ns, name: sa, subresource: 'token' }),
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        // Bound to the token Secret the container mounts: a pod-bound token must belong to the pod's
        // own ServiceAccount, which this one (by design, §4.5 item 8) does not.
        spec: { expirationSeconds: o.tokenSeconds ?? 3600, boundObjectRef: { apiVersion: 'v1', kind: 'Secret', name: secretName, uid: secret.metadata?.uid } },
      },
    });
    const token = (res.body as { status?: { token?: string } } | undefined)?.status?.token;
    if (!token) throw new Error(`TokenRequest for ServiceAccount ${ns}/${sa} returned no token`);
    return token;
  }

  /** Materialise one mount in `dir`, as the kubelet would in the container. */
  async function provide(pod: Pod, m: MountPlan, dir: string): Promise<void> {
    mkdirPrivate(dir);
    if (m.volume.downwardAPI) {
      const resolved = downwardApiFiles(pod, m.volume);
      if ('error' in resolved) throw new Error(resolved.error);
      for (const [path, text] of Object.entries(resolved.files)) writePrivate(join(dir, path), text);
      return;
    }
    const secretName = m.volume.secret?.secretName ?? '';
    writePrivate(join(dir, 'token'), await tokenFor(pod, secretName));
    writePrivate(join(dir, 'ca.crt'), readFileSync(o.caFile, 'utf8'));
    writePrivate(join(dir, 'namespace'), pod.metadata?.namespace ?? '');
  }

  async function report(pod: Pod, annotations: Record<string, string>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        // The uid makes the patch a precondition: a new pod of the same name is not reported on.
        await client.patch(RESOURCES.pods, pod.metadata?.name ?? '', pod.metadata?.namespace, { metadata: { uid: pod.metadata?.uid, annotations } });
        return;
      } catch (err) {
        if (err instanceof KubeError && (err.kind === 'NotFound' || err.kind === 'Conflict' || err.kind === 'Invalid')) return;
        if (attempt >= 5) throw err;
        await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
      }
    }
  }

  /** Run `copse initc` with `argv` to its exit; the child is kept on `run` so a deleted pod can stop it. */
  async function execute(name: string, argv: string[], run: Run): Promise<Omit<InitcExit, 'terminationLog'>> {
    const startedAt = new Date();
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env['PATH'] ?? '', COPSE_LOG_LEVEL: 'warn' } });
    run.child = child;
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = tailBytes(output + chunk.toString('utf8'), OUTPUT_KEEP_BYTES);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    o.log.info({ pod: name, pid: child.pid }, 'started copse initc');
    const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit, reject) => {
      child.once('error', reject);
      child.once('close', (c, s) => resolveExit({ code: c, signal: s }));
    });
    const finishedAt = new Date();
    const exitCode = code ?? signalExitCode(signal);
    o.log.info({ pod: name, exitCode, seconds: (finishedAt.getTime() - startedAt.getTime()) / 1000, output: output.trim().split('\n').slice(-5) }, 'copse initc exited');
    return { exitCode, output, startedAt, finishedAt };
  }

  function readTerminationLog(path: string): string {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return ''; // not written: the program succeeded, or died before it could
    }
  }

  async function launch(pod: Pod, run: Run): Promise<void> {
    const name = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
    const uid = pod.metadata?.uid ?? '';
    const container = initContainerOf(pod);
    const args = container ? initcArgs(container) : undefined;
    const plan = mountPlan(pod);
    if (!container || !args) throw new Error('no copse initc container');
    if (typeof plan === 'string') throw new Error(plan);
    const work = mkdtempSync(join(o.workDir, `${pod.metadata?.namespace}_${pod.metadata?.name}-`));
    try {
      const overrides: string[] = [];
      for (const [i, m] of plan.entries()) {
        const dir = join(work, `mount-${i}`);
        await provide(pod, m, dir);
        overrides.push(`${m.flag}=${dir}`);
      }
      if (run.cancelled) return;
      const terminationLog = join(work, 'termination-log');
      const argv = [join(repoRoot(), 'bin', 'copse.js'), 'initc', ...args, ...overrides, `--server=${o.server}`, `--termination-log=${terminationLog}`];
      const exit = await execute(name, argv, run);
      if (run.cancelled) return;
      const annotations = resultAnnotations({ ...exit, terminationLog: readTerminationLog(terminationLog) }, container.terminationMessagePolicy === 'FallbackToLogsOnError');
      await report(pod, annotations);
      reported.add(uid);
    } finally {
      rmSync(work, { recursive: true, force: true });
      if (runs.get(uid) === run) runs.delete(uid);
    }
  }

  nodes.on({ add: () => pods.store.list().forEach(consider) });
  pods.on({ add: consider, update: (_old, pod) => consider(pod), delete: cancel });
  nodes.start();
  await nodes.waitForSync();
  pods.start();

  return {
    stop: async () => {
      stopping = true;
      for (const t of retries.values()) clearTimeout(t);
      const children = [...runs.values()].map((r) => r.child).filter((c): c is ChildProcess => c !== undefined && c.exitCode === null);
      for (const c of children) c.kill('SIGTERM');
      await Promise.all(children.map((c) => new Promise<void>((r) => (c.exitCode !== null ? r() : c.once('close', () => r())))));
      await pods.shutdown();
      await nodes.shutdown();
      http.close();
    },
  };
}
