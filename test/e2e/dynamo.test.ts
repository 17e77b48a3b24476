// The Grove announcement's Dynamo walkthrough on copse alone, on the real local control plane: the
// DynamoGraphDeployment exactly as the announcement prints it (manifests/examples/dynamo-grove.yaml,
// with a dummy hf-token-secret) becomes the PodCliqueSet, PodCliques, pods and frontend Service the
// announcement shows, and the DGD reports Ready. Then a service scaled 2→3 (through the PodClique's
// /scale subresource), a multinode service (leader and worker cliques in a scaling group), deletion,
// a name conflict reported in status, and invalid DGDs refused by the validating webhook with the
// field named.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Pod } from '../../api/core/wire.js';
import type { DynamoGraphDeployment, PodCliqueSet } from '../../api/generated/types.js';
import { RESOURCES, type Resource } from '../../kube/resources.js';
import type { ObjectLike } from '../../kube/dynamic.js';
import { type Obj, aggregate, applyJson } from '../support/admission.js';
import { createNamespace, isReady, listIn, readyPods, testClient } from '../support/dynamic.js';
import { DYNAMO_EXAMPLE_FILE, dynamoExample } from '../support/dynamo-example.js';
import { eventually, kubectl } from '../support/kube.js';

const kubeconfig = inject('kubeconfig');
const client = testClient(kubeconfig);
const DGD_WEBHOOK = 'dgd.validating.webhooks.copse.io';
const GRAPH_LABEL = 'nvidia.com/dynamo-graph-deployment-name';

const namespaces: { cleanup: () => Promise<void> }[] = [];
async function namespace(prefix: string): Promise<string> {
  const ns = await createNamespace(client, prefix);
  namespaces.push(ns);
  return ns.name;
}

afterAll(async () => {
  for (const ns of namespaces) await ns.cleanup();
  client.http.close();
});

function readyCondition(dgd: DynamoGraphDeployment | undefined) {
  return dgd?.status?.conditions?.find((c) => c.type === 'Ready');
}

/** Wait until the DGD reports `state` with the Ready condition `status`, and return it. */
function dgdState(ns: string, name: string, state: string, status: 'True' | 'False', timeoutMs = 120_000): Promise<DynamoGraphDeployment> {
  return eventually(
    `DynamoGraphDeployment ${ns}/${name} ${state} (Ready=${status})`,
    async () => {
      const dgd = await client.tryGet(RESOURCES.dynamoGraphDeployments, name, ns);
      return dgd?.status?.state === state && readyCondition(dgd)?.status === status ? dgd : undefined;
    },
    timeoutMs,
    500,
  );
}

async function eventsOf(ns: string, name: string): Promise<string[]> {
  const events = await listIn(client, RESOURCES.events, ns);
  return events
    .filter((e) => e.involvedObject?.kind === 'DynamoGraphDeployment' && e.involvedObject.name === name)
    .map((e) => `${e.type ?? ''} ${e.reason ?? ''}: ${e.message ?? ''}`);
}

const podNames = (pods: readonly Pod[]): string[] => pods.map((p) => p.metadata?.name ?? '').sort();
const controllerUid = (o: ObjectLike): string | undefined => o.metadata?.ownerReferences?.find((r) => r.controller === true)?.uid;

describe('the announcement walkthrough: DGD dynamo-grove (Frontend, VllmDecodeWorker ×2, VllmPrefillWorker)', () => {
  let ns: string;
  let uid: string;

  beforeAll(async () => {
    ns = await namespace('dynamo-walk');
  });

  it('kubectl apply -f the example creates the Secret and the DGD', async () => {
    const r = await kubectl(kubeconfig, ['apply', '-f', DYNAMO_EXAMPLE_FILE, '-n', ns]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split('\n')).toEqual(['secret/hf-token-secret created', 'dynamographdeployment.nvidia.com/dynamo-grove created']);
    // The file holds the announcement's DGD unchanged, `componentType: employee` included.
    expect(readFileSync(DYNAMO_EXAMPLE_FILE, 'utf8')).toContain('componentType: employee');
    expect(Object.keys(dynamoExample().dgd.spec.services ?? {})).toEqual(['Frontend', 'VllmDecodeWorker', 'VllmPrefillWorker']);
  });

  it('yields the pods the announcement shows, all Ready: one frontend, two decode workers, one prefill worker', async () => {
    const pods = await readyPods(client, ns, 4, undefined, 120_000);
    const names = podNames(pods);
    expect(names.map((n) => n.replace(/-[a-z0-9]{5}$/, '-xxxxx'))).toEqual([
      'dynamo-grove-0-frontend-xxxxx',
      'dynamo-grove-0-vllmdecodeworker-xxxxx',
      'dynamo-grove-0-vllmdecodeworker-xxxxx',
      'dynamo-grove-0-vllmprefillworker-xxxxx',
    ]);
    expect(pods.every(isReady)).toBe(true);
    // Every pod carries the graph label Dynamo's tooling selects on, and its main container asks for the GPU.
    expect(pods.every((p) => p.metadata?.labels?.[GRAPH_LABEL] === 'dynamo-grove')).toBe(true);
    const decode = pods.find((p) => p.metadata?.name?.startsWith('dynamo-grove-0-vllmdecodeworker-'));
    const main = decode?.spec?.containers.find((c) => c.name === 'main');
    expect(main?.resources?.limits?.['nvidia.com/gpu']).toBe('1');
    expect(main?.envFrom).toEqual([{ secretRef: { name: 'hf-token-secret' } }]);
    expect(main?.command).toEqual(['python3', '-m', 'dynamo.vllm']);
  });

  it('makes the PodCliqueSet dynamo-grove, owned by the DGD and applied by copse-dynamo, with the PodClique dynamo-grove-0-vllmdecodeworker', async () => {
    const dgd = await client.get(RESOURCES.dynamoGraphDeployments, 'dynamo-grove', ns);
    uid = dgd.metadata.uid ?? '';
    const pcs = await client.get(RESOURCES.podCliqueSets, 'dynamo-grove', ns);
    expect(pcs.metadata.ownerReferences).toEqual([
      { apiVersion: 'nvidia.com/v1alpha1', kind: 'DynamoGraphDeployment', name: 'dynamo-grove', uid, controller: true, blockOwnerDeletion: true },
    ]);
    expect(pcs.metadata.managedFields?.some((m) => m.manager === 'copse-dynamo' && m.operation === 'Apply')).toBe(true);
    expect(pcs.spec.template.cliques.map((c) => [c.name, c.spec.replicas, c.spec.minAvailable])).toEqual([
      ['frontend', 1, 1],
      ['vllmdecodeworker', 2, 1],
      ['vllmprefillworker', 1, 1],
    ]);
    const pclqs = await listIn(client, RESOURCES.podCliques, ns);
    expect(pclqs.map((p) => p.metadata.name).sort()).toEqual(['dynamo-grove-0-frontend', 'dynamo-grove-0-vllmdecodeworker', 'dynamo-grove-0-vllmprefillworker']);
    // PodClique status is written at most once a second, so it may trail the Ready pods seen above.
    const decodeCounts = async () => {
      const decode = await client.get(RESOURCES.podCliques, 'dynamo-grove-0-vllmdecodeworker', ns);
      return [decode.spec.replicas, decode.status?.readyReplicas];
    };
    await eventually('dynamo-grove-0-vllmdecodeworker to report its two Ready pods', async () => (await decodeCounts())[1] === 2, 30_000);
    expect(await decodeCounts()).toEqual([2, 2]);
  });

  it('makes the Service dynamo-grove-frontend on port 8000, selecting the frontend pod', async () => {
    const svc = await client.get(RESOURCES.services, 'dynamo-grove-frontend', ns);
    expect(svc.spec?.ports).toEqual([{ name: 'http', port: 8000, protocol: 'TCP', targetPort: 'http' }]);
    expect(controllerUid(svc)).toBe(uid);
    const selector = Object.entries(svc.spec?.selector ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    expect(podNames(await listIn(client, RESOURCES.pods, ns, selector)).map((n) => n.replace(/-[a-z0-9]{5}$/, ''))).toEqual(['dynamo-grove-0-frontend']);
  });

  it('reports Ready: state successful, reason all_resources_are_ready, in kubectl get dgd and in an event', async () => {
    const dgd = await dgdState(ns, 'dynamo-grove', 'successful', 'True');
    expect(readyCondition(dgd)).toMatchObject({ reason: 'all_resources_are_ready', message: 'All resources are ready' });
    const r = await kubectl(kubeconfig, ['get', 'dgd', 'dynamo-grove', '-n', ns, '--no-headers', '-o', 'custom-columns=NAME:.metadata.name,READY:.status.conditions[0].status,STATE:.status.state']);
    expect(r.stdout.trim().split(/\s+/)).toEqual(['dynamo-grove', 'True', 'successful']);
    await eventually('the Ready event', async () => (await eventsOf(ns, 'dynamo-grove')).includes('Normal Ready: All resources are ready'));
    const events = await eventsOf(ns, 'dynamo-grove');
    expect(events.filter((e) => e.startsWith('Normal Ready'))).toHaveLength(1);
    expect(events).toContain('Normal CreatedPodCliqueSet: PodCliqueSet dynamo-grove');
    expect(events).toContain('Normal CreatedService: Service dynamo-grove-frontend');
  });

  it('scales VllmDecodeWorker from 2 to 3', async () => {
    const r = await kubectl(kubeconfig, ['patch', 'dgd', 'dynamo-grove', '-n', ns, '--type=merge', '-p', '{"spec":{"services":{"VllmDecodeWorker":{"replicas":3}}}}']);
    expect(r.stderr).toBe('');
    await readyPods(client, ns, 3, 'grove.io/podclique=dynamo-grove-0-vllmdecodeworker', 120_000);
    expect((await client.get(RESOURCES.podCliques, 'dynamo-grove-0-vllmdecodeworker', ns)).spec.replicas).toBe(3);
    await dgdState(ns, 'dynamo-grove', 'successful', 'True');
    // The other services are untouched.
    expect(podNames(await readyPods(client, ns, 5))).toHaveLength(5);
  });

  it("holds the PodClique at the service's replicas through its /scale subresource, as Dynamo's operator does", async () => {
    // The template still says 3, so only the DGD controller's /scale write can undo this.
    const r = await kubectl(kubeconfig, ['scale', 'podclique', 'dynamo-grove-0-vllmdecodeworker', '-n', ns, '--replicas=1']);
    expect(r.stderr).toBe('');
    await eventually(
      'the Scaled event from 1 to 3',
      async () => (await eventsOf(ns, 'dynamo-grove')).includes('Normal Scaled: PodClique dynamo-grove-0-vllmdecodeworker (service VllmDecodeWorker) scaled from 1 to 3 replicas'),
      60_000,
    );
    const pclq = await client.get(RESOURCES.podCliques, 'dynamo-grove-0-vllmdecodeworker', ns);
    expect(pclq.spec.replicas).toBe(3);
    expect(pclq.metadata.managedFields?.some((m) => m.manager === 'copse-dynamo' && m.subresource === 'scale')).toBe(true);
    await readyPods(client, ns, 3, 'grove.io/podclique=dynamo-grove-0-vllmdecodeworker', 120_000);
    await dgdState(ns, 'dynamo-grove', 'successful', 'True');
  });

  it('refuses adding a service after creation, naming spec.services', async () => {
    const r = await kubectl(kubeconfig, [
      'patch', 'dgd', 'dynamo-grove', '-n', ns, '--type=merge', '-p', '{"spec":{"services":{"Extra":{"extraPodSpec":{"mainContainer":{"image":"img:1"}}}}}}',
    ]);
    expect(r.stderr.trim()).toBe(
      `Error from server (Forbidden): admission webhook "${DGD_WEBHOOK}" denied the request: spec.services: Forbidden: service topology is immutable: services cannot be added, removed or switched between single-node and multinode after creation (was ["frontend","vllmdecodeworker","vllmprefillworker"], now ["extra","frontend","vllmdecodeworker","vllmprefillworker"])`,
    );
  });

  it('deleting the DGD removes everything it made', async () => {
    const r = await kubectl(kubeconfig, ['delete', 'dgd', 'dynamo-grove', '-n', ns]);
    expect(r.stdout.trim()).toBe(`dynamographdeployment.nvidia.com "dynamo-grove" deleted from ${ns} namespace`);
    const kinds: [string, Resource<ObjectLike>][] = [
      ['PodCliqueSet', RESOURCES.podCliqueSets as Resource<ObjectLike>],
      ['PodClique', RESOURCES.podCliques as Resource<ObjectLike>],
      ['PodCliqueScalingGroup', RESOURCES.podCliqueScalingGroups as Resource<ObjectLike>],
      ['PodGang', RESOURCES.podGangs as Resource<ObjectLike>],
      ['Pod', RESOURCES.pods as Resource<ObjectLike>],
      ['Service', RESOURCES.services as Resource<ObjectLike>],
      ['ServiceAccount', RESOURCES.serviceAccounts as Resource<ObjectLike>],
      ['Role', RESOURCES.roles as Resource<ObjectLike>],
      ['RoleBinding', RESOURCES.roleBindings as Resource<ObjectLike>],
    ];
    const leftovers = async (): Promise<string[]> => {
      const out: string[] = [];
      for (const [kind, res] of kinds) {
        for (const o of await listIn(client, res, ns)) {
          const labels = o.metadata?.labels ?? {};
          const made = controllerUid(o) === uid || labels[GRAPH_LABEL] === 'dynamo-grove' || labels['app.kubernetes.io/part-of'] === 'dynamo-grove';
          if (made) out.push(`${kind}/${o.metadata?.name ?? ''}`);
        }
      }
      // Secrets copse made for the PodCliqueSet carry its part-of label.
      for (const s of await listIn(client, RESOURCES.secrets, ns, 'app.kubernetes.io/part-of=dynamo-grove')) out.push(`Secret/${s.metadata?.name ?? ''}`);
      return out;
    };
    await eventually('nothing of dynamo-grove left', async () => (await leftovers()).length === 0, 120_000, 1000).catch(async (err: unknown) => {
      throw new Error(`${String(err)}; left: ${(await leftovers()).join(', ')}`);
    });
    // The user's own Secret stays.
    expect((await client.tryGet(RESOURCES.secrets, 'hf-token-secret', ns))?.metadata?.name).toBe('hf-token-secret');
  });
});

describe('a multinode service: leader and worker cliques in a scaling group', () => {
  it('SGLang on two nodes per replica runs as PodCliqueScalingGroup mn-0-sglangworker with cliques sglangworker-ldr and sglangworker-wkr, and the DGD gets Ready', async () => {
    const ns = await namespace('dynamo-mn');
    const dgd = {
      apiVersion: 'nvidia.com/v1alpha1',
      kind: 'DynamoGraphDeployment',
      metadata: { name: 'mn', namespace: ns },
      spec: {
        services: {
          Frontend: { componentType: 'frontend', replicas: 1, extraPodSpec: { mainContainer: { image: 'img:1' } } },
          SglangWorker: {
            componentType: 'worker',
            replicas: 1,
            multinode: { nodeCount: 2 },
            resources: { limits: { gpu: '2' } },
            extraPodSpec: { mainContainer: { image: 'img:1', command: ['python3', '-m', 'dynamo.sglang'], args: ['--model-path', 'Qwen/Qwen3-0.6B', '--tp', '4'] } },
          },
        },
      },
    };
    const r = await applyJson(kubeconfig, dgd);
    expect(r.stderr).toBe('');
    const pods = await readyPods(client, ns, 3, undefined, 120_000);
    expect(podNames(pods).map((n) => n.replace(/-[a-z0-9]{5}$/, '-xxxxx'))).toEqual([
      'mn-0-frontend-xxxxx',
      'mn-0-sglangworker-0-sglangworker-ldr-xxxxx',
      'mn-0-sglangworker-0-sglangworker-wkr-xxxxx',
    ]);
    const pcs = await client.get(RESOURCES.podCliqueSets, 'mn', ns);
    expect(pcs.spec.template.podCliqueScalingGroups).toEqual([{ name: 'sglangworker', cliqueNames: ['sglangworker-ldr', 'sglangworker-wkr'], replicas: 1, minAvailable: 1 }]);
    const pcsg = await client.get(RESOURCES.podCliqueScalingGroups, 'mn-0-sglangworker', ns);
    expect(pcsg.spec.replicas).toBe(1);
    // The leader is told where it is and the worker where its leader is (Grove's env, dynamo-dgd.md §2.9).
    const leader = pods.find((p) => p.metadata?.name?.includes('-ldr-'))?.spec?.containers.find((c) => c.name === 'main');
    const worker = pods.find((p) => p.metadata?.name?.includes('-wkr-'))?.spec?.containers.find((c) => c.name === 'main');
    expect(leader?.args?.join(' ')).toContain('--nnodes 2 --node-rank 0');
    expect(worker?.args?.join(' ')).toContain('--node-rank $((GROVE_PCLQ_POD_INDEX + 1))');
    const ready = await dgdState(ns, 'mn', 'successful', 'True');
    expect(readyCondition(ready)?.reason).toBe('all_resources_are_ready');
  });
});

describe('a name another object holds', () => {
  it('is reported in status as a failed state naming the PodCliqueSet, and nothing is taken over', async () => {
    const ns = await namespace('dynamo-conflict');
    const pcs = {
      apiVersion: 'grove.io/v1alpha1',
      kind: 'PodCliqueSet',
      metadata: { name: 'taken', namespace: ns },
      spec: { replicas: 1, template: { cliques: [{ name: 'w', spec: { roleName: 'w', replicas: 1, podSpec: { containers: [{ name: 'c', image: 'img:1' }] } } }] } },
    };
    expect((await applyJson(kubeconfig, pcs)).stderr).toBe('');
    const dgd = {
      apiVersion: 'nvidia.com/v1alpha1',
      kind: 'DynamoGraphDeployment',
      metadata: { name: 'taken', namespace: ns },
      spec: { services: { W: { replicas: 1, extraPodSpec: { mainContainer: { image: 'img:1' } } } } },
    };
    expect((await applyJson(kubeconfig, dgd)).stderr).toBe('');
    const failed = await dgdState(ns, 'taken', 'failed', 'False');
    expect(readyCondition(failed)).toMatchObject({
      reason: 'name_conflict',
      message: `PodCliqueSet ${ns}/taken exists and is not owned by this DynamoGraphDeployment; delete or rename it`,
    });
    const still: PodCliqueSet = await client.get(RESOURCES.podCliqueSets, 'taken', ns);
    expect(still.metadata.ownerReferences).toBeUndefined();
    expect(still.spec.template.cliques.map((c) => c.name)).toEqual(['w']);
  });
});

describe('invalid DynamoGraphDeployments are refused with the field named', () => {
  let ns: string;
  beforeAll(async () => {
    ns = await namespace('dynamo-invalid');
  });

  const image = { extraPodSpec: { mainContainer: { image: 'img:1' } } };
  const dgd = (name: string, services: Obj, extra: { annotations?: Record<string, string>; spec?: Obj } = {}): Obj => ({
    apiVersion: 'nvidia.com/v1alpha1',
    kind: 'DynamoGraphDeployment',
    metadata: { name, ...(extra.annotations ? { annotations: extra.annotations } : {}) },
    spec: { services, ...(extra.spec ?? {}) },
  });
  const DNS_LABEL =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
  const QUANTITY = 'must be a resource quantity such as "1", "500m" or "4Gi"';

  const cases: [string, Obj, string[]][] = [
    ['no services', dgd('inv-none', {}), ['spec.services: Required value: a DynamoGraphDeployment needs at least one service']],
    [
      'no main container image',
      dgd('inv-image', { Frontend: { componentType: 'frontend' } }),
      ['spec.services[Frontend].extraPodSpec.mainContainer.image: Required value: the main container needs an image'],
    ],
    [
      'a service name that is no PodClique name',
      dgd('inv-name', { Bad_Name: image }),
      [`spec.services[Bad_Name]: Invalid value: "Bad_Name": the lowercased service name "bad_name" names a PodClique: ${DNS_LABEL}`],
    ],
    [
      'two services that lowercase alike',
      dgd('inv-dup', { Worker: image, worker: image }),
      ['spec.services[worker]: Invalid value: "worker": lowercases to "worker" like service "Worker"; PodClique names must be unique'],
    ],
    [
      "names over Grove's 45-character budget",
      dgd('a-very-long-dynamo-graph-deployment-name', { VllmDecodeWorker: image }),
      [
        'spec.services[VllmDecodeWorker]: Invalid value: "VllmDecodeWorker": combined resource name length 56 exceeds the 45-character limit of Grove pod naming (PodCliqueSet "a-very-long-dynamo-graph-deployment-name" and PodClique "vllmdecodeworker"); shorten the DynamoGraphDeployment or service name',
      ],
    ],
    ['a GPU count that is no quantity', dgd('inv-gpu', { W: { ...image, resources: { limits: { gpu: 'one' } } } }), [`spec.services[W].resources.limits.gpu: Invalid value: "one": ${QUANTITY}`]],
    ['a shared memory size that is no quantity', dgd('inv-shm', { W: { ...image, sharedMemory: { size: 'lots' } } }), [`spec.services[W].sharedMemory.size: Invalid value: "lots": ${QUANTITY}`]],
    ['a volume mount of an unknown PVC', dgd('inv-mount', { W: { ...image, volumeMounts: [{ name: 'models', mountPoint: '/models' }] } }), ['spec.services[W].volumeMounts[0].name: Not found: "models"']],
    ['a planner', dgd('inv-planner', { Planner: { ...image, componentType: 'planner' } }), ['spec.services[Planner].componentType: Forbidden: the planner component is not supported by copse']],
    [
      'an ingress',
      dgd('inv-ingress', { Frontend: { ...image, componentType: 'frontend', ingress: { enabled: true, host: 'x' } } }),
      ['spec.services[Frontend].ingress.enabled: Forbidden: copse does not create Ingress or VirtualService objects'],
    ],
    [
      'autoscaling',
      dgd('inv-hpa', { W: { ...image, autoscaling: { enabled: true } } }),
      ['spec.services[W].autoscaling.enabled: Forbidden: autoscaling is not supported for Grove-backed services; scale through spec.services[].replicas'],
    ],
    [
      'a PVC to create',
      dgd('inv-pvc', { W: image }, { spec: { pvcs: [{ name: 'm', create: true, size: '1Gi', storageClass: 's', volumeAccessMode: 'ReadWriteOnce' }] } }),
      ['spec.pvcs[0].create: Forbidden: copse does not create PersistentVolumeClaims; create the claim beforehand and set create to false'],
    ],
    [
      'Grove turned off',
      dgd('inv-grove', { W: image }, { annotations: { 'nvidia.com/enable-grove': 'false' } }),
      ['metadata.annotations[nvidia.com/enable-grove]: Forbidden: copse runs DynamoGraphDeployments only as Grove PodCliqueSets; remove the annotation or set it to "true"'],
    ],
    [
      'Kubernetes discovery',
      dgd('inv-discovery', { W: image }, { annotations: { 'nvidia.com/dynamo-discovery-backend': 'kubernetes' } }),
      ['metadata.annotations[nvidia.com/dynamo-discovery-backend]: Unsupported value: "kubernetes": supported values: "etcd"'],
    ],
    ['a multinode frontend', dgd('inv-mnfe', { Frontend: { ...image, componentType: 'frontend', multinode: { nodeCount: 2 } } }), ['spec.services[Frontend].multinode: Forbidden: a frontend cannot be multinode']],
    [
      'multinode TensorRT-LLM',
      dgd('inv-trt', { W: { extraPodSpec: { mainContainer: { image: 'img:1', command: ['python3', '-m', 'dynamo.trtllm'] } }, multinode: { nodeCount: 2 } } }),
      ['spec.services[W].multinode: Forbidden: multinode TensorRT-LLM (MPI over SSH) is not supported by copse'],
    ],
    [
      'several problems at once, each named',
      dgd('inv-many', { Planner: { componentType: 'planner' }, W: { ...image, resources: { requests: { cpu: 'x' } } } }),
      [
        'spec.services[Planner].extraPodSpec.mainContainer.image: Required value: the main container needs an image',
        `spec.services[W].resources.requests.cpu: Invalid value: "x": ${QUANTITY}`,
        'spec.services[Planner].componentType: Forbidden: the planner component is not supported by copse',
      ],
    ],
  ];

  it.each(cases)('%s', async (_rule, obj, errors) => {
    const r = await applyJson(kubeconfig, obj, ['-n', ns]);
    expect(r.stderr.trim()).toBe(`Error from server (Forbidden): error when creating "STDIN": admission webhook "${DGD_WEBHOOK}" denied the request: ${aggregate(errors)}`);
    expect(await client.tryGet(RESOURCES.dynamoGraphDeployments, (obj['metadata'] as Obj)['name'] as string, ns)).toBeUndefined();
  });

  it('nothing was made for any refused DGD', async () => {
    expect(await listIn(client, RESOURCES.dynamoGraphDeployments, ns)).toEqual([]);
    expect(await listIn(client, RESOURCES.podCliqueSets, ns)).toEqual([]);
  });
});
