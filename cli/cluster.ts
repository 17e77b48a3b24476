// `copse cluster ...`: the embedded local control plane on its own.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { adminKubeconfigPath, readState, status, up } from '../cluster/local.js';
import { ShapeError, type ClusterShape } from '../cluster/topology.js';
import { binaryPath, ensureBinaries } from '../cluster/upstream.js';
import { describeWorkloadScheduling, parseWorkloadSchedulingMode, type WorkloadSchedulingMode } from '../cluster/workload-scheduling.js';
import type { Command } from './main.js';
import { downStack } from './stack.js';

const help = `Usage: copse cluster <up|down|status|kubeconfig|kubectl|build>

  up [--nodes N] [--topology FILE] [--workload-scheduling native|off]
      Build the pinned binaries if needed (first run only), start etcd, kube-apiserver,
      kube-controller-manager, kube-scheduler and kwok on 127.0.0.1, and create the
      simulated GPU nodes. Idempotent. FILE is JSON with any of: zones, blocksPerZone,
      racksPerBlock, hostsPerRack, cpu, memory, gpus, nodes.
      --workload-scheduling native turns on Kubernetes v1.37's native workload-aware
      scheduling (feature gates GenericWorkload, TopologyAwareWorkloadScheduling,
      CompositePodGroup; serves scheduling.k8s.io/v1beta1 and v1alpha3); off (the default
      for a new cluster) turns it off. Without the flag the cluster keeps its current mode.
      Switching restarts only kube-apiserver, kube-scheduler and kube-controller-manager;
      etcd keeps the data.
  down [--purge]     stop exactly the processes copse started; --purge deletes etcd data and certs
  status [--json]    health of each component and the number of Ready nodes (exit 1 if unhealthy)
  kubeconfig         print the path of the admin kubeconfig
  kubectl ARGS...    run the pinned kubectl against the local cluster
  build              only build (or find in the cache) the pinned upstream binaries
  initc-runner --kubeconfig F --ca-file F --server URL --work-dir D
                     run copse's startup init program for pods on simulated nodes (started
                     by \`up\` as a background process; you never need to run it yourself)
`;

export function shapeFromFlags(nodes: string | undefined, topologyFile: string | undefined): Partial<ClusterShape> | undefined {
  let shape: Partial<ClusterShape> | undefined;
  if (topologyFile) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(topologyFile, 'utf8'));
    } catch (e) {
      throw new ShapeError(`--topology ${topologyFile}: ${(e as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new ShapeError(`--topology ${topologyFile}: expected a JSON object`);
    }
    const allowed = new Set(['zones', 'blocksPerZone', 'racksPerBlock', 'hostsPerRack', 'cpu', 'memory', 'gpus', 'nodes']);
    for (const key of Object.keys(parsed)) {
      if (!allowed.has(key)) throw new ShapeError(`--topology ${topologyFile}: unknown field "${key}" (allowed: ${[...allowed].join(', ')})`);
    }
    shape = parsed as Partial<ClusterShape>;
  }
  if (nodes !== undefined) {
    const n = Number(nodes);
    if (!Number.isInteger(n) || n < 1) throw new ShapeError(`--nodes: must be a positive integer, got "${nodes}"`);
    shape = { ...shape, nodes: n };
  }
  return shape;
}

/** `--workload-scheduling` of `copse up` and `copse cluster up`; undefined keeps the cluster's current mode. */
export function workloadSchedulingFromFlag(value: string | undefined): WorkloadSchedulingMode | undefined {
  return parseWorkloadSchedulingMode(value, '--workload-scheduling');
}

async function clusterUp(rest: string[]): Promise<number> {
  const { values } = parseArgs({
    args: rest,
    options: { nodes: { type: 'string' }, topology: { type: 'string' }, 'workload-scheduling': { type: 'string' } },
  });
  const shape = shapeFromFlags(values.nodes, values.topology);
  const workloadScheduling = workloadSchedulingFromFlag(values['workload-scheduling']);
  const cluster = await up({ ...(shape ? { shape } : {}), ...(workloadScheduling ? { workloadScheduling } : {}) });
  const s = cluster.state;
  process.stdout.write(
    `Local cluster is up: Kubernetes ${s.kubernetesVersion}, ${s.shape.nodes} simulated nodes, API at https://127.0.0.1:${s.ports.apiserver}\n` +
      `  workload scheduling: ${describeWorkloadScheduling(s.workloadScheduling)}\n` +
      `  kubectl --kubeconfig ${cluster.kubeconfig} get nodes\n`,
  );
  return 0;
}

async function clusterDown(rest: string[]): Promise<number> {
  const { values } = parseArgs({ args: rest, options: { purge: { type: 'boolean', default: false } } });
  const stopped = await downStack({ purge: values.purge });
  process.stdout.write(stopped.length ? `Stopped ${stopped.join(', ')}\n` : 'Nothing was running\n');
  return 0;
}

async function clusterStatus(rest: string[]): Promise<number> {
  const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean', default: false } } });
  const report = await status();
  if (values.json) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  } else if (!report.state) {
    process.stdout.write(`No local cluster in ${report.stateDir}; run \`copse cluster up\`\n`);
  } else {
    for (const [name, c] of Object.entries(report.components)) {
      const word = c.healthy ? 'healthy' : c.running ? 'running, not healthy' : 'stopped';
      process.stdout.write(`${name.padEnd(26)} ${word}${c.pid && c.running ? ` (pid ${c.pid})` : ''}\n`);
    }
    if (report.nodes) process.stdout.write(`${'nodes'.padEnd(26)} ${report.nodes.ready}/${report.nodes.wanted} Ready\n`);
    if (report.workloadScheduling) process.stdout.write(`${'workload scheduling'.padEnd(26)} ${describeWorkloadScheduling(report.workloadScheduling)}\n`);
  }
  return report.healthy ? 0 : 1;
}

async function clusterBuild(): Promise<number> {
  await ensureBinaries();
  for (const b of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'etcd', 'kwok'] as const) {
    process.stdout.write(`${b.padEnd(24)} ${binaryPath(b)}\n`);
  }
  return 0;
}

async function clusterKubeconfig(): Promise<number> {
  if (!readState()) {
    process.stderr.write('copse: no local cluster yet; run `copse cluster up` first\n');
    return 1;
  }
  process.stdout.write(adminKubeconfigPath() + '\n');
  return 0;
}

async function clusterKubectl(rest: string[]): Promise<number> {
  const args = rest[0] === '--' ? rest.slice(1) : rest;
  const r = spawnSync(binaryPath('kubectl'), ['--kubeconfig', adminKubeconfigPath(), ...args], { stdio: 'inherit' });
  return r.status ?? 1;
}

async function clusterInitcRunner(rest: string[]): Promise<number> {
  const { values } = parseArgs({
    args: rest,
    options: { kubeconfig: { type: 'string' }, 'ca-file': { type: 'string' }, server: { type: 'string' }, 'work-dir': { type: 'string' } },
  });
  for (const flag of ['kubeconfig', 'ca-file', 'server', 'work-dir'] as const) {
    if (!values[flag]) throw new Error(`copse cluster initc-runner: --${flag} is required`);
  }
  const { startInitcRunner } = await import('../cluster/initc-runner.js');
  const { componentLogger } = await import('../kube/log.js');
  const log = componentLogger('initc-runner');
  const runner = await startInitcRunner({
    kubeconfig: values.kubeconfig ?? '',
    caFile: values['ca-file'] ?? '',
    server: values.server ?? '',
    workDir: values['work-dir'] ?? '',
    log,
  });
  log.info('running copse initc for pods on simulated nodes');
  const signal = await new Promise<string>((resolveStop) => {
    process.once('SIGTERM', () => resolveStop('SIGTERM'));
    process.once('SIGINT', () => resolveStop('SIGINT'));
  });
  log.info({ signal }, 'stopping');
  await runner.stop();
  return 0;
}

const SUBCOMMANDS: Record<string, (rest: string[]) => Promise<number>> = {
  'initc-runner': clusterInitcRunner,
  up: clusterUp,
  down: clusterDown,
  status: clusterStatus,
  build: clusterBuild,
  kubeconfig: clusterKubeconfig,
  kubectl: clusterKubectl,
};

export const clusterCommand: Command = {
  summary: 'manage the embedded local control plane',
  async run(argv) {
    const sub = argv[0];
    const handler = sub ? SUBCOMMANDS[sub] : undefined;
    if (handler) return handler(argv.slice(1));
    if (sub === undefined || sub === '--help' || sub === '-h') {
      process.stdout.write(help);
      return sub ? 0 : 2;
    }
    process.stderr.write(`copse cluster: unknown subcommand "${sub}"\n\n${help}`);
    return 2;
  },
};
