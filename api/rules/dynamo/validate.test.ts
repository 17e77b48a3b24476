// DynamoGraphDeployment admission rules: each invalid DGD is refused with the field named and the exact
// message; valid ones (the walkthrough included) pass.

import { describe, expect, it } from 'vitest';
import { dynamoExample } from '../../../test/support/dynamo-example.js';
import { testDgd, testService } from '../../dynamo/testing.js';
import { formatFieldErrors } from '../../field-errors.js';
import type { DynamoGraphDeployment } from '../../generated/types.js';
import { serviceTopology, validateDynamoGraphDeployment } from './validate.js';

const messages = (dgd: DynamoGraphDeployment, old?: DynamoGraphDeployment): string => formatFieldErrors(validateDynamoGraphDeployment(dgd, old));

const sglang = { command: ['python3', '-m', 'dynamo.sglang'] };

describe('validateDynamoGraphDeployment: create', () => {
  it('accepts the walkthrough DGD', () => {
    expect(validateDynamoGraphDeployment(dynamoExample().dgd)).toEqual([]);
  });

  it('accepts a multinode service within the name budget', () => {
    const dgd = testDgd({ W: testService({ multinode: { nodeCount: 2 }, extraPodSpec: { mainContainer: sglang } }) });
    expect(validateDynamoGraphDeployment(dgd)).toEqual([]);
  });

  const long = 'a'.repeat(40);
  it.each<[string, DynamoGraphDeployment, string]>([
    ['no services', testDgd({}), 'spec.services: Required value: a DynamoGraphDeployment needs at least one service'],
    [
      'a service name that is no DNS label once lowercased',
      testDgd({ Vllm_Worker: testService() }),
      `spec.services[Vllm_Worker]: Invalid value: "Vllm_Worker": the lowercased service name "vllm_worker" names a PodClique: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    ],
    [
      'two services that lowercase alike',
      testDgd({ Frontend: testService(), frontend: testService() }),
      'spec.services[frontend]: Invalid value: "frontend": lowercases to "frontend" like service "Frontend"; PodClique names must be unique',
    ],
    [
      'names too long for Grove pod hostnames',
      testDgd({ Frontend: testService() }, { name: long }),
      `spec.services[Frontend]: Invalid value: "Frontend": combined resource name length 48 exceeds the 45-character limit of Grove pod naming (PodCliqueSet "${long}" and PodClique "frontend"); shorten the DynamoGraphDeployment or service name`,
    ],
    [
      'multinode names too long (leader clique inside the scaling group)',
      testDgd({ Prefill: testService({ multinode: { nodeCount: 2 }, extraPodSpec: { mainContainer: sglang } }) }, { name: 'a'.repeat(28) }),
      `spec.services[Prefill]: Invalid value: "Prefill": combined resource name length 46 exceeds the 45-character limit of Grove pod naming (PodCliqueSet "${'a'.repeat(28)}", PodCliqueScalingGroup "prefill" and PodClique "prefill-ldr"); shorten the DynamoGraphDeployment or service name`,
    ],
    [
      'a main container without an image',
      testDgd({ W: { componentType: 'worker' } }),
      'spec.services[W].extraPodSpec.mainContainer.image: Required value: the main container needs an image',
    ],
    [
      'resource values that are no quantities',
      testDgd({ W: testService({ resources: { limits: { gpu: 'one', custom: { 'rdma/ib': '1x' } }, requests: { memory: '4GB' } } }) }),
      '[spec.services[W].resources.requests.memory: Invalid value: "4GB": must be a resource quantity such as "1", "500m" or "4Gi", ' +
        'spec.services[W].resources.limits.gpu: Invalid value: "one": must be a resource quantity such as "1", "500m" or "4Gi", ' +
        'spec.services[W].resources.limits.custom[rdma/ib]: Invalid value: "1x": must be a resource quantity such as "1", "500m" or "4Gi"]',
    ],
    [
      'a shared memory size that is no quantity',
      testDgd({ W: testService({ sharedMemory: { size: 'big' } }) }),
      'spec.services[W].sharedMemory.size: Invalid value: "big": must be a resource quantity such as "1", "500m" or "4Gi"',
    ],
    [
      'a volume mount of a claim not in spec.pvcs, without a mount point',
      testDgd({ W: testService({ volumeMounts: [{ name: 'models' }] }) }),
      '[spec.services[W].volumeMounts[0].name: Not found: "models", spec.services[W].volumeMounts[0].mountPoint: Required value: needed unless the volume is a vLLM compilation cache]',
    ],
    [
      'a claim mounted twice and listed twice',
      testDgd({ W: testService({ volumeMounts: [{ name: 'm', mountPoint: '/a' }, { name: 'm', mountPoint: '/b' }] }) }, { spec: { pvcs: [{ name: 'm' }, { name: 'm' }] } }),
      '[spec.services[W].volumeMounts[1].name: Duplicate value: "m", spec.pvcs[1].name: Duplicate value: "m"]',
    ],
    [
      'invalid pod labels',
      testDgd({ W: testService({ labels: { 'bad key!': 'v' }, extraPodMetadata: { labels: { ok: 'bad value!' } } }) }),
      `[spec.services[W].labels: Invalid value: "bad key!": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]'), ` +
        `spec.services[W].extraPodMetadata.labels: Invalid value: "bad value!": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')]`,
    ],
    [
      'a PVC copse would have to create',
      testDgd({ W: testService() }, { spec: { pvcs: [{ name: 'm', create: true, size: '1Gi', storageClass: 's', volumeAccessMode: 'ReadWriteOnce' }] } }),
      'spec.pvcs[0].create: Forbidden: copse does not create PersistentVolumeClaims; create the claim beforehand and set create to false',
    ],
    [
      'a compilation cache for a backend other than vLLM',
      testDgd({ W: testService({ volumeMounts: [{ name: 'c', mountPoint: '/c', useAsCompilationCache: true }], extraPodSpec: { mainContainer: sglang } }) }, { spec: { pvcs: [{ name: 'c' }] } }),
      "spec.services[W].volumeMounts[0].useAsCompilationCache: Forbidden: a compilation cache is supported for the vllm backend only (this service's backend: sglang)",
    ],
    [
      'a multinode frontend',
      testDgd({ F: testService({ componentType: 'frontend', multinode: { nodeCount: 2 } }) }),
      'spec.services[F].multinode: Forbidden: a frontend cannot be multinode',
    ],
    [
      'the Deployment path (enable-grove: "false")',
      testDgd({ W: testService() }, { annotations: { 'nvidia.com/enable-grove': 'false' } }),
      'metadata.annotations[nvidia.com/enable-grove]: Forbidden: copse runs DynamoGraphDeployments only as Grove PodCliqueSets; remove the annotation or set it to "true"',
    ],
  ])('refuses %s', (_name, dgd, message) => {
    expect(messages(dgd)).toBe(message);
  });

  it('reports every problem, not just the first', () => {
    const dgd = testDgd({ A: {}, B: { componentType: 'planner' } });
    expect(validateDynamoGraphDeployment(dgd).map((e) => e.field)).toEqual([
      'spec.services[A].extraPodSpec.mainContainer.image',
      'spec.services[B].extraPodSpec.mainContainer.image',
      'spec.services[B].componentType',
    ]);
  });

  it('does not throw on wrongly typed input (the schema reports it)', () => {
    const junk = [
      { metadata: { name: 'x' }, spec: { services: { A: { resources: { limits: { gpu: 1 } }, volumeMounts: 'm' } }, pvcs: 'no' } },
      { metadata: { name: 'x' }, spec: { services: 'none' } },
      { metadata: {}, spec: { services: { A: null, B: 3 }, pvcs: [null, 1] } },
      { metadata: { name: 'x' } },
    ] as unknown as DynamoGraphDeployment[];
    for (const j of junk) expect(() => validateDynamoGraphDeployment(j, j)).not.toThrow();
    expect(messages(junk[1] as DynamoGraphDeployment)).toBe('spec.services: Required value: a DynamoGraphDeployment needs at least one service');
  });
});

describe('validateDynamoGraphDeployment: update', () => {
  const base = () => testDgd({ Frontend: testService({ componentType: 'frontend' }), Worker: testService({ componentType: 'worker', replicas: 1 }) });

  it('allows replica, image and env changes', () => {
    const next = base();
    const w = next.spec.services?.['Worker'];
    if (!w) throw new Error('no worker');
    w.replicas = 4;
    w.envs = [{ name: 'X', value: '1' }];
    expect(validateDynamoGraphDeployment(next, base())).toEqual([]);
  });

  it('refuses a changed backendFramework', () => {
    const old = testDgd({ W: testService() }, { spec: { backendFramework: 'vllm' } });
    const next = testDgd({ W: testService() }, { spec: { backendFramework: 'sglang' } });
    expect(messages(next, old)).toBe('spec.backendFramework: Invalid value: "sglang": field is immutable');
  });

  it('refuses added or removed services', () => {
    const next = base();
    delete next.spec.services?.['Worker'];
    next.spec.services = { ...next.spec.services, Router: testService() };
    expect(messages(next, base())).toBe(
      'spec.services: Forbidden: service topology is immutable: services cannot be added, removed or switched between single-node and multinode after creation (was ["frontend","worker"], now ["frontend","router"])',
    );
  });

  it('refuses switching a service to multinode, allows changing its node count', () => {
    const multi = (n: number) => testDgd({ W: testService({ multinode: { nodeCount: n }, extraPodSpec: { mainContainer: sglang } }) });
    expect(messages(multi(2), testDgd({ W: testService({ extraPodSpec: { mainContainer: sglang } }) }))).toBe(
      'spec.services: Forbidden: service topology is immutable: services cannot be added, removed or switched between single-node and multinode after creation (was ["w"], now ["w (multinode: w-ldr, w-wkr)"])',
    );
    expect(validateDynamoGraphDeployment(multi(3), multi(2))).toEqual([]);
  });

  it('serviceTopology names the cliques in order', () => {
    expect(serviceTopology(base())).toEqual(['frontend', 'worker']);
  });
});
