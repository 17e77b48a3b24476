// Backend-specific parts of Dynamo's translation (dynamo-dgd.md §2.5 step 10, §2.9): which inference
// backend a service runs, and how the leader and the workers of a multinode service are started.
// Only what the walkthrough-era operator did is reproduced; the rest is reported as unsupported.

import type { V1Container } from '../core/wire.js';
import type { DynamoComponentDeploymentSharedSpec, DynamoGraphDeployment } from '../generated/types.js';
import { quantityValue } from '../rules/quantity.js';
import { componentKind } from './components.js';
import { WORKER_NODE_RANK, leaderHostname } from './names.js';

export type Backend = 'vllm' | 'sglang' | 'trtllm';

const BACKEND_MODULE = /(?:^|[\s'"])dynamo\.(vllm|sglang|trtllm)(?=$|[\s'"])/;
const SHELLS = new Set(['sh', '/bin/sh', 'bash', '/bin/bash']);
const SAFE_WORD = /^[A-Za-z0-9_./:=@%+,-]+$/;

/** The command line the main container runs, as one shell string. */
export function launchLine(c: Pick<V1Container, 'command' | 'args'>): string {
  const command = c.command ?? [];
  const args = c.args ?? [];
  if (command.length === 2 && SHELLS.has(command[0] ?? '') && command[1] === '-c') return args.join(' ');
  return [...command, ...args].map((w) => (SAFE_WORD.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** The backend a command line starts (`python3 -m dynamo.vllm ...` → vllm), if any. */
export function detectBackend(c: Pick<V1Container, 'command' | 'args'>): Backend | undefined {
  return BACKEND_MODULE.exec(launchLine(c))?.[1] as Backend | undefined;
}

/** A service's backend: none for frontends, else spec.backendFramework, else detected from its mainContainer. */
export function serviceBackend(dgd: DynamoGraphDeployment, svc: DynamoComponentDeploymentSharedSpec): Backend | undefined {
  if (componentKind(svc.componentType) === 'frontend') return undefined;
  return dgd.spec?.backendFramework ?? detectBackend(svc.extraPodSpec?.mainContainer ?? {});
}

/** GPUs one pod of the service gets: its GPU limit as a number (0 when unset). */
export function gpusPerPod(svc: DynamoComponentDeploymentSharedSpec): number {
  const gpu = svc.resources?.limits?.gpu;
  return gpu === undefined ? 0 : (quantityValue(gpu) ?? 0);
}

/** Value of a command-line flag (`--flag v` or `--flag=v`) under any of `names`. */
function flagValue(line: string, names: readonly string[]): string | undefined {
  const words = line.split(/\s+/);
  for (let i = 0; i < words.length; i++) {
    const w = words[i] ?? '';
    for (const n of names) {
      if (w === n) return words[i + 1];
      if (w.startsWith(`${n}=`)) return w.slice(n.length + 1);
    }
  }
  return undefined;
}

function parallelSize(line: string, names: readonly string[]): number {
  const v = Number(flagValue(line, names) ?? '1');
  return Number.isInteger(v) && v > 0 ? v : 1;
}

/** Commands of the leader and worker pods of a multinode service, or why copse cannot start them. */
export type MultinodeLaunch =
  | { ok: true; leader: Pick<V1Container, 'command' | 'args'>; worker: Pick<V1Container, 'command' | 'args'> }
  | { ok: false; detail: string };

const shell = (line: string): Pick<V1Container, 'command' | 'args'> => ({ command: ['/bin/sh', '-c'], args: [line] });

/**
 * How the operator starts a multinode service: SGLang gets --dist-init-addr/--nnodes/--node-rank after
 * `dynamo.sglang`; vLLM whose tensor × pipeline parallelism exceeds one pod's GPUs runs as a Ray cluster
 * (head on the leader, `ray start --address=<leader>:6379 --block` on workers).
 */
export function multinodeLaunch(
  backend: Backend | undefined,
  service: string,
  nodes: number,
  gpus: number,
  main: Pick<V1Container, 'command' | 'args'>,
): MultinodeLaunch {
  const line = launchLine(main);
  const leader = leaderHostname(service);
  switch (backend) {
    case 'sglang': {
      const m = /dynamo\.sglang(?=$|[\s'"])/.exec(line);
      if (!m) return { ok: false, detail: 'a multinode SGLang service must run `python3 -m dynamo.sglang` in its main container' };
      const at = m.index + m[0].length;
      const flags = (rank: string): string => ` --dist-init-addr ${leader}:29500 --nnodes ${nodes} --node-rank ${rank}`;
      return {
        ok: true,
        leader: shell(line.slice(0, at) + flags('0') + line.slice(at)),
        worker: shell(line.slice(0, at) + flags(WORKER_NODE_RANK) + line.slice(at)),
      };
    }
    case 'vllm': {
      const world = parallelSize(line, ['--tensor-parallel-size', '-tp']) * parallelSize(line, ['--pipeline-parallel-size', '-pp']);
      if (world <= gpus) {
        return {
          ok: false,
          detail:
            `tensor × pipeline parallel size (${world}) fits the ${gpus} GPU(s) of one pod; copse supports multinode ` +
            'vLLM only as a Ray cluster spanning the nodes (data-parallel multinode is not supported)',
        };
      }
      return { ok: true, leader: shell(`ray start --head --port=6379 && ${line}`), worker: shell(`ray start --address=${leader}:6379 --block`) };
    }
    case 'trtllm':
      return { ok: false, detail: 'multinode TensorRT-LLM (MPI over SSH) is not supported by copse' };
    case undefined:
      return {
        ok: false,
        detail: 'the backend of a multinode service must be known (set spec.backendFramework or run python3 -m dynamo.<backend>)',
      };
  }
}
