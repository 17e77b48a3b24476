// `copse up` / `copse down`: everything `npm start` needs, in the background.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { down, up } from '../cluster/local.js';
import { binaryPath } from '../cluster/upstream.js';
import { shapeFromFlags } from './cluster.js';
import type { Command } from './main.js';

export const upCommand: Command = {
  summary: 'start the local control plane and copse',
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: { nodes: { type: 'string' }, topology: { type: 'string' }, example: { type: 'boolean', default: false } },
    });
    const cluster = await up({ shape: shapeFromFlags(values.nodes, values.topology) });
    const kubectl = binaryPath('kubectl');
    const s = cluster.state;
    process.stdout.write(`\ncopse is up on a local Kubernetes ${s.kubernetesVersion} control plane (API https://127.0.0.1:${s.ports.apiserver}).\n\n`);
    spawnSync(kubectl, ['--kubeconfig', cluster.kubeconfig, 'get', 'nodes', '-L', 'topology.copse.io/block,topology.copse.io/rack'], { stdio: 'inherit' });
    process.stdout.write(
      `\nReach it with kubectl:\n  export KUBECONFIG=${cluster.kubeconfig}\n  kubectl get nodes\n\nStop everything with: npx copse down\n`,
    );
    return 0;
  },
};

export const downCommand: Command = {
  summary: 'stop everything copse up started',
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { purge: { type: 'boolean', default: false } } });
    const stopped = await down({ purge: values.purge });
    process.stdout.write(stopped.length ? `Stopped ${stopped.join(', ')}\n` : 'Nothing was running\n');
    return 0;
  },
};
