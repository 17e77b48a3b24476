// `copse up` / `copse down`: everything `npm start` needs, in the background.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { allCrds } from '../api/crds.js';
import { binaryPath } from '../cluster/upstream.js';
import { describeWorkloadScheduling } from '../cluster/workload-scheduling.js';
import { shapeFromFlags, workloadSchedulingFromFlag } from './cluster.js';
import type { Command } from './main.js';
import { EXAMPLE_FILE, downStack, upStack } from './stack.js';

export const upCommand: Command = {
  summary: 'start the local control plane and copse',
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        nodes: { type: 'string' },
        topology: { type: 'string' },
        'workload-scheduling': { type: 'string' },
        example: { type: 'boolean', default: false },
      },
    });
    const shape = shapeFromFlags(values.nodes, values.topology);
    const workloadScheduling = workloadSchedulingFromFlag(values['workload-scheduling']);
    const { cluster, serverUrl } = await upStack({ ...(shape ? { shape } : {}), ...(workloadScheduling ? { workloadScheduling } : {}), example: values.example });
    const kubectl = binaryPath('kubectl');
    const kc = cluster.kubeconfig;
    const s = cluster.state;
    const show = (args: string[]) => {
      process.stdout.write(`\n$ kubectl ${args.join(' ')}\n`);
      spawnSync(kubectl, ['--kubeconfig', kc, ...args], { stdio: 'inherit' });
    };
    process.stdout.write(
      `\ncopse is up: Kubernetes ${s.kubernetesVersion} on 127.0.0.1:${s.ports.apiserver}, ${s.shape.nodes} simulated GPU nodes, copse admission at ${serverUrl}\n` +
        `workload scheduling: ${describeWorkloadScheduling(s.workloadScheduling)}\n`,
    );
    show(['get', 'nodes', '-L', 'topology.copse.io/block,topology.copse.io/rack', '--sort-by=.metadata.name']);
    show(['get', 'crd', ...allCrds().map((c) => c.metadata.name)]);
    if (values.example) show(['get', 'podcliquesets', '-A']);
    process.stdout.write(
      [
        '',
        'Reach it with kubectl:',
        `  export KUBECONFIG=${kc}`,
        '  kubectl get nodes',
        ...(values.example ? [`  kubectl get pcs llm-disagg -o yaml        # the example from ${EXAMPLE_FILE}, with copse's defaults`] : []),
        '  kubectl explain pcs.spec.template.cliques.spec.startsAfter',
        '',
        'Stop everything with: npx copse down',
        '',
      ].join('\n'),
    );
    return 0;
  },
};

export const downCommand: Command = {
  summary: 'stop everything copse up started',
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { purge: { type: 'boolean', default: false } } });
    const stopped = await downStack({ purge: values.purge });
    process.stdout.write(stopped.length ? `Stopped ${stopped.join(', ')}\n` : 'Nothing was running\n');
    return 0;
  },
};
