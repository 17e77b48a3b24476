// DynamoGraphDeployment → PodCliqueSet, row by row of dynamo-dgd.md §2 and §3, the worked example of
// §4 (the announcement's DGD), and the walkthrough-era expectations of Dynamo's own generator tests
// (§5: graph_test.go TestGenerateGrovePodCliqueSet, single-node and multinode SGLang/vLLM cases).

import { beforeAll, describe, expect, it } from 'vitest';
import { dynamoExample } from '../../test/support/dynamo-example.js';
import type { V1Container, V1EnvVar } from '../core/wire.js';
import { formatFieldErrors } from '../field-errors.js';
import type { DynamoGraphDeployment, PodCliqueSet, PodCliqueTemplateSpec } from '../generated/types.js';
import { podCliqueName } from '../names.js';
import { defaultPodCliqueSet } from '../rules/podcliqueset/defaults.js';
import { validatePodCliqueSetCreate } from '../rules/podcliqueset/validate.js';
import { admitOffline, compiledValidator } from '../validators.js';
import { testDgd, testService } from './testing.js';
import { type DynamoTranslateOptions, translateDynamoGraphDeployment } from './translate.js';

type Svc = Parameters<typeof testService>[0];

function translate(dgd: DynamoGraphDeployment, o?: DynamoTranslateOptions) {
  const r = translateDynamoGraphDeployment(dgd, o);
  if (!r.ok) throw new Error(formatFieldErrors(r.errors));
  return r;
}

const pcsOf = (dgd: DynamoGraphDeployment, o?: DynamoTranslateOptions): PodCliqueSet => translate(dgd, o).podCliqueSet;

function clique(pcs: PodCliqueSet, name: string): PodCliqueTemplateSpec {
  const c = pcs.spec.template.cliques.find((x) => x.name === name);
  if (!c) throw new Error(`no clique ${name} in ${pcs.spec.template.cliques.map((x) => x.name).join(',')}`);
  return c;
}

function main(pcs: PodCliqueSet, cliqueName: string): V1Container {
  const c = clique(pcs, cliqueName).spec.podSpec.containers.find((x) => x.name === 'main');
  if (!c) throw new Error(`no main container in ${cliqueName}`);
  return c;
}

const one = (svc: Svc = {}, o?: Parameters<typeof testDgd>[1]) => testDgd({ Svc: testService(svc) }, o);
const envNames = (c: V1Container): string[] => (c.env ?? []).map((e) => e.name);
const env = (c: V1Container, name: string): V1EnvVar | undefined => c.env?.find((e) => e.name === name);
const fieldRefEnv = (name: string, fieldPath: string): V1EnvVar => ({ name, valueFrom: { fieldRef: { fieldPath } } });

/** copse's own PodCliqueSet admission (defaulting, CRD schema, webhook rules) must accept every translation. */
function expectAdmissible(pcs: PodCliqueSet): void {
  const crd = admitOffline('PodCliqueSet', pcs);
  expect(formatFieldErrors(crd.errors)).toBe('');
  expect(crd.pruned).toEqual([]);
  const defaulted = defaultPodCliqueSet(structuredClone(pcs));
  const v = validatePodCliqueSetCreate(defaulted, {
    topologyAwareScheduling: true,
    schedulerProfiles: ['default-scheduler'],
    defaultSchedulerName: 'default-scheduler',
    autoMNNVLEnabled: false,
  });
  expect(formatFieldErrors(v.errors)).toBe('');
}

// compiling the PodCliqueSet schema for expectAdmissible takes seconds on a busy machine
beforeAll(() => void compiledValidator('PodCliqueSet'), 60_000);

// ---------------------------------------------------------------------------------------------

describe('§2.1 the Grove path', () => {
  it.each(['false', 'False', 'FALSE'])('nvidia.com/enable-grove: %s (non-Grove Deployments) is refused with the annotation named', (v) => {
    const r = translateDynamoGraphDeployment(one({}, { annotations: { 'nvidia.com/enable-grove': v } }));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(formatFieldErrors(r.errors)).toBe(
        'metadata.annotations[nvidia.com/enable-grove]: Forbidden: copse runs DynamoGraphDeployments only as Grove PodCliqueSets; remove the annotation or set it to "true"',
      );
    }
  });

  it('nvidia.com/enable-grove: "true" translates', () => {
    expect(translateDynamoGraphDeployment(one({}, { annotations: { 'nvidia.com/enable-grove': 'true' } })).ok).toBe(true);
  });

  it('needs the identity the API server gives a DGD (name, namespace, uid for the owner reference)', () => {
    const dgd = one();
    delete dgd.metadata.uid;
    dgd.metadata.namespace = '';
    const r = translateDynamoGraphDeployment(dgd);
    expect(r.ok ? '' : formatFieldErrors(r.errors)).toBe(
      '[metadata.namespace: Required value: the DynamoGraphDeployment must be read from the API server, metadata.uid: Required value: the DynamoGraphDeployment must be read from the API server]',
    );
  });
});

describe('§2.2 the PodCliqueSet object', () => {
  const dgd = testDgd({ Worker: testService({ componentType: 'worker' }) }, { name: 'g1', namespace: 'team' });
  const pcs = pcsOf(dgd);

  it('is named and placed like the DGD, owned by it as controller, with no labels or annotations of its own', () => {
    expect(pcs.apiVersion).toBe('grove.io/v1alpha1');
    expect(pcs.kind).toBe('PodCliqueSet');
    expect(pcs.metadata).toEqual({
      name: 'g1',
      namespace: 'team',
      ownerReferences: [
        {
          apiVersion: 'nvidia.com/v1alpha1',
          kind: 'DynamoGraphDeployment',
          name: 'g1',
          uid: '4f9c2d2e-0000-4000-8000-000000000001',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    });
  });

  it('has one replica, AnyOrder startup, publishNotReadyAddresses, the operator terminationDelay 15m and nothing else', () => {
    const { cliques: _cliques, ...template } = pcs.spec.template;
    expect(pcs.spec.replicas).toBe(1);
    expect(template).toEqual({
      cliqueStartupType: 'CliqueStartupTypeAnyOrder',
      headlessServiceConfig: { publishNotReadyAddresses: true },
      terminationDelay: '15m0s',
    });
    expect(Object.keys(pcs.spec)).toEqual(['replicas', 'template']);
  });

  it('takes terminationDelay from the operator setting', () => {
    expect(pcsOf(dgd, { terminationDelay: '1h0m0s' }).spec.template.terminationDelay).toBe('1h0m0s');
  });

  it('sorts cliques and scaling groups by name, never by manifest order', () => {
    const d = testDgd({
      Zeta: testService({ componentType: 'worker' }),
      alpha: testService({ componentType: 'frontend' }),
      Mid: testService({ componentType: 'worker', multinode: { nodeCount: 2 }, extraPodSpec: { mainContainer: { command: ['python3', '-m', 'dynamo.sglang'] } } }),
      Beta: testService({ componentType: 'worker', multinode: { nodeCount: 2 }, extraPodSpec: { mainContainer: { command: ['python3', '-m', 'dynamo.sglang'] } } }),
    });
    const p = pcsOf(d);
    expect(p.spec.template.cliques.map((c) => c.name)).toEqual(['alpha', 'beta-ldr', 'beta-wkr', 'mid-ldr', 'mid-wkr', 'zeta']);
    expect(p.spec.template.podCliqueScalingGroups?.map((g) => g.name)).toEqual(['beta', 'mid']);
  });

  it('computes the Dynamo namespace <namespace>-<dgd> (dynamoNamespace in the manifest is ignored), or "dynamo" when global', () => {
    const d = testDgd(
      {
        A: testService({ dynamoNamespace: 'ignored' }),
        B: testService({ globalDynamoNamespace: true }),
      },
      { name: 'g1', namespace: 'team' },
    );
    const p = pcsOf(d);
    expect(env(main(p, 'a'), 'DYN_NAMESPACE')?.value).toBe('team-g1');
    expect(clique(p, 'a').labels?.['nvidia.com/dynamo-namespace']).toBe('team-g1');
    expect(env(main(p, 'b'), 'DYN_NAMESPACE')?.value).toBe('dynamo');
    expect(clique(p, 'b').labels?.['nvidia.com/dynamo-namespace']).toBe('dynamo');
  });
});

describe('§2.3 roles → cliques', () => {
  it('a single-node service is one clique named after the lowercased service: its replicas, minAvailable 1', () => {
    const p = pcsOf(testDgd({ VllmDecodeWorker: testService({ replicas: 3 }) }));
    expect(p.spec.template.cliques.map((c) => [c.name, c.spec.roleName, c.spec.replicas, c.spec.minAvailable])).toEqual([
      ['vllmdecodeworker', 'vllmdecodeworker', 3, 1],
    ]);
    expect(p.spec.template.podCliqueScalingGroups).toBeUndefined();
  });

  it('absent replicas mean 1', () => {
    expect(clique(pcsOf(one()), 'svc').spec.replicas).toBe(1);
  });

  it('a service scaled to 0 keeps 1 in the template (Grove refuses 0; the scale step sets 0)', () => {
    expect(clique(pcsOf(one({ replicas: 0 })), 'svc').spec.replicas).toBe(1);
  });

  it('a multinode service of N nodes is a leader clique (1) and a worker clique (N-1), both minAvailable 1', () => {
    const p = pcsOf(
      testDgd({
        Prefill: testService({ componentType: 'worker', replicas: 2, multinode: { nodeCount: 4 }, extraPodSpec: { mainContainer: { command: ['python3', '-m', 'dynamo.sglang'] } } }),
      }),
    );
    expect(p.spec.template.cliques.map((c) => [c.name, c.spec.roleName, c.spec.replicas, c.spec.minAvailable])).toEqual([
      ['prefill-ldr', 'prefill-ldr', 1, 1],
      ['prefill-wkr', 'prefill-wkr', 3, 1],
    ]);
  });
});

describe('§2.4 clique labels and annotations', () => {
  it('sets selector, graph name, Dynamo namespace, component types and metrics-enabled', () => {
    const p = pcsOf(testDgd({ Decode: testService({ componentType: 'decode', subComponentType: 'decode-sub' }) }, { name: 'g', namespace: 'n' }));
    expect(clique(p, 'decode').labels).toEqual({
      'nvidia.com/selector': 'g-decode',
      'nvidia.com/dynamo-graph-deployment-name': 'g',
      'nvidia.com/dynamo-namespace': 'n-g',
      'nvidia.com/dynamo-component-type': 'decode',
      'nvidia.com/dynamo-sub-component-type': 'decode-sub',
      'nvidia.com/metrics-enabled': 'true',
    });
  });

  it('leaves out component-type labels that are not set and metrics-enabled when the DGD opts out', () => {
    const p = pcsOf(one({}, { annotations: { 'nvidia.com/enable-metrics': 'false' } }));
    expect(Object.keys(clique(p, 'svc').labels ?? {})).toEqual([
      'nvidia.com/selector',
      'nvidia.com/dynamo-graph-deployment-name',
      'nvidia.com/dynamo-namespace',
    ]);
  });

  it('multinode cliques carry their role in the selector label', () => {
    const p = pcsOf(testDgd({ W: testService({ multinode: { nodeCount: 2 }, extraPodSpec: { mainContainer: { command: ['python3', '-m', 'dynamo.sglang'] } } }) }, { name: 'g' }));
    expect(clique(p, 'w-ldr').labels?.['nvidia.com/selector']).toBe('g-w-ldr');
    expect(clique(p, 'w-wkr').labels?.['nvidia.com/selector']).toBe('g-w-wkr');
  });

  it('merges service labels, then extraPodMetadata labels, over the operator labels', () => {
    const p = pcsOf(
      one({
        labels: { team: 'a', 'nvidia.com/metrics-enabled': 'false', tier: 'svc' },
        extraPodMetadata: { labels: { tier: 'pod' } },
      }),
    );
    expect(clique(p, 'svc').labels).toMatchObject({ team: 'a', tier: 'pod', 'nvidia.com/metrics-enabled': 'false' });
  });

  it('annotations are the service annotations and extraPodMetadata annotations (the latter win); none means none', () => {
    const p = pcsOf(one({ annotations: { a: '1', b: '1' }, extraPodMetadata: { annotations: { b: '2' } } }));
    expect(clique(p, 'svc').annotations).toEqual({ a: '1', b: '2' });
    expect(clique(pcsOf(one()), 'svc').annotations).toBeUndefined();
  });

  it('records a configured discovery backend on every clique and in DYN_DISCOVERY_BACKEND', () => {
    const p = pcsOf(one({}, { annotations: { 'nvidia.com/dynamo-discovery-backend': 'etcd' } }));
    expect(clique(p, 'svc').annotations).toEqual({ 'nvidia.com/dynamo-discovery-backend': 'etcd' });
    expect(env(main(p, 'svc'), 'DYN_DISCOVERY_BACKEND')?.value).toBe('etcd');
    const q = pcsOf(one(), { platform: { discoveryBackend: 'etcd' } });
    expect(env(main(q, 'svc'), 'DYN_DISCOVERY_BACKEND')?.value).toBe('etcd');
    expect(env(main(pcsOf(one()), 'svc'), 'DYN_DISCOVERY_BACKEND')).toBeUndefined();
  });

  it('refuses the Kubernetes discovery backend (it needs RBAC objects and a service account copse does not create)', () => {
    const r = translateDynamoGraphDeployment(one({}, { annotations: { 'nvidia.com/dynamo-discovery-backend': 'kubernetes' } }));
    expect(r.ok ? '' : formatFieldErrors(r.errors)).toBe(
      'metadata.annotations[nvidia.com/dynamo-discovery-backend]: Unsupported value: "kubernetes": supported values: "etcd"',
    );
  });
});

describe('§2.5 pod spec pipeline', () => {
  it('starts from a container named "main" running /bin/sh -c', () => {
    const c = main(pcsOf(testDgd({ S: { extraPodSpec: { mainContainer: { image: 'i' } } } })), 's');
    expect(c.name).toBe('main');
    expect(c.command).toEqual(['/bin/sh', '-c']);
    expect(c.args).toBeUndefined();
  });

  it('mainContainer fields replace the defaults wholesale; its name is ignored; empty fields change nothing', () => {
    const c = main(
      pcsOf(
        one({
          componentType: 'frontend',
          extraPodSpec: {
            mainContainer: { name: 'custom', command: ['run'], args: ['--x'], workingDir: '/w', ports: [{ containerPort: 1 }], stdin: false, tty: true },
          },
        }),
      ),
      'svc',
    );
    expect([c.name, c.image, c.command, c.args, c.workingDir, c.ports, c.stdin, c.tty]).toEqual(['main', 'img:1', ['run'], ['--x'], '/w', [{ containerPort: 1 }], undefined, true]);
  });

  it('mainContainer startupProbe replaces the default one', () => {
    const probe = { exec: { command: ['true'] } };
    expect(main(pcsOf(one({ componentType: 'worker', extraPodSpec: { mainContainer: { startupProbe: probe } } })), 'svc').startupProbe).toEqual(probe);
  });

  it('env: defaults, mainContainer env, spec.envs, then service envs, merged by name (later wins) and sorted by name', () => {
    const c = main(
      pcsOf(
        one(
          {
            componentType: 'frontend',
            envs: [{ name: 'SHARED', value: 'service' }, { name: 'B_SVC', value: '1' }],
            extraPodSpec: { mainContainer: { env: [{ name: 'SHARED', value: 'main' }, { name: 'A_MAIN', value: '1' }, { name: 'DYNAMO_PORT', value: '1' }] } },
          },
          { spec: { envs: [{ name: 'SHARED', value: 'graph' }, { name: 'C_GRAPH', value: '1' }] } },
        ),
      ),
      'svc',
    );
    expect(envNames(c)).toEqual([...envNames(c)].sort());
    expect(envNames(c)).toEqual([
      'A_MAIN', 'B_SVC', 'C_GRAPH', 'DYNAMO_PORT', 'DYN_COMPONENT', 'DYN_HTTP_PORT', 'DYN_NAMESPACE', 'DYN_PARENT_DGD_K8S_NAME',
      'DYN_PARENT_DGD_K8S_NAMESPACE', 'POD_NAME', 'POD_NAMESPACE', 'SHARED',
    ]);
    expect(env(c, 'SHARED')?.value).toBe('service');
    expect(env(c, 'DYNAMO_PORT')?.value).toBe('1');
  });

  it('service probes replace the defaults', () => {
    const liveness = { httpGet: { path: '/x', port: 1 } };
    const readiness = { tcpSocket: { port: 2 } };
    const c = main(pcsOf(one({ componentType: 'worker', livenessProbe: liveness, readinessProbe: readiness })), 'svc');
    expect([c.livenessProbe, c.readinessProbe]).toEqual([liveness, readiness]);
    expect(c.startupProbe?.httpGet?.path).toBe('/live');
  });

  it('envFromSecret becomes envFrom after any envFrom of mainContainer', () => {
    const c = main(pcsOf(one({ envFromSecret: 's2', extraPodSpec: { mainContainer: { envFrom: [{ configMapRef: { name: 'cm' } }] } } })), 'svc');
    expect(c.envFrom).toEqual([{ configMapRef: { name: 'cm' } }, { secretRef: { name: 's2' } }]);
  });

  it('injects the platform addresses the operator is configured with', () => {
    const c = main(
      pcsOf(one(), { platform: { natsServer: 'nats://n:4222', etcdEndpoints: 'e:2379', modelExpressUrl: 'http://m', prometheusEndpoint: 'http://p' } }),
      'svc',
    );
    expect([env(c, 'NATS_SERVER'), env(c, 'ETCD_ENDPOINTS'), env(c, 'MODEL_EXPRESS_URL'), env(c, 'PROMETHEUS_ENDPOINT')].map((e) => e?.value)).toEqual([
      'nats://n:4222',
      'e:2379',
      'http://m',
      'http://p',
    ]);
    expect(envNames(main(pcsOf(one()), 'svc'))).not.toContain('NATS_SERVER');
  });

  it('mounts spec.pvcs claims named after the claim, then the 8Gi memory-backed /dev/shm', () => {
    const p = pcsOf(one({ volumeMounts: [{ name: 'models', mountPoint: '/models' }] }, { spec: { pvcs: [{ name: 'models' }] } }));
    const spec = clique(p, 'svc').spec.podSpec;
    expect(spec.volumes).toEqual([
      { name: 'models', persistentVolumeClaim: { claimName: 'models' } },
      { name: 'shared-memory', emptyDir: { medium: 'Memory', sizeLimit: '8Gi' } },
    ]);
    expect(main(p, 'svc').volumeMounts).toEqual([
      { name: 'models', mountPath: '/models' },
      { name: 'shared-memory', mountPath: '/dev/shm' },
    ]);
  });

  it('shared memory takes sharedMemory.size, and disappears with sharedMemory.disabled', () => {
    expect(clique(pcsOf(one({ sharedMemory: { size: '16Gi' } })), 'svc').spec.podSpec.volumes).toEqual([
      { name: 'shared-memory', emptyDir: { medium: 'Memory', sizeLimit: '16Gi' } },
    ]);
    const p = pcsOf(one({ sharedMemory: { disabled: true } }));
    expect(clique(p, 'svc').spec.podSpec.volumes).toBeUndefined();
    expect(main(p, 'svc').volumeMounts).toBeUndefined();
  });

  it('a vLLM compilation cache mounts at /root/.cache/vllm unless told otherwise and sets VLLM_CACHE_ROOT', () => {
    const svc = (mountPoint?: string) =>
      one(
        { volumeMounts: [{ name: 'cache', useAsCompilationCache: true, ...(mountPoint ? { mountPoint } : {}) }], extraPodSpec: { mainContainer: { command: ['python3', '-m', 'dynamo.vllm'] } } },
        { spec: { pvcs: [{ name: 'cache' }] } },
      );
    const c = main(pcsOf(svc()), 'svc');
    expect(c.volumeMounts?.[0]).toEqual({ name: 'cache', mountPath: '/root/.cache/vllm' });
    expect(env(c, 'VLLM_CACHE_ROOT')?.value).toBe('/root/.cache/vllm');
    expect(env(main(pcsOf(svc('/cc')), 'svc'), 'VLLM_CACHE_ROOT')?.value).toBe('/cc');
  });

  it('base pod spec: grace period 60s, restartPolicy Always, fsGroup 1000', () => {
    const spec = clique(pcsOf(one()), 'svc').spec.podSpec;
    expect([spec.terminationGracePeriodSeconds, spec.restartPolicy, spec.securityContext]).toEqual([60, 'Always', { fsGroup: 1000 }]);
  });

  it('extraPodSpec fields override the base pod spec; a user securityContext replaces the fsGroup default', () => {
    const spec = clique(
      pcsOf(
        one({
          extraPodSpec: {
            terminationGracePeriodSeconds: 10,
            securityContext: { runAsUser: 7 },
            tolerations: [{ key: 'gpu', operator: 'Exists' }],
            nodeSelector: { pool: 'a' },
            volumes: [{ name: 'cfg', configMap: { name: 'c' } }],
          },
        }),
      ),
      'svc',
    ).spec.podSpec;
    expect(spec.terminationGracePeriodSeconds).toBe(10);
    expect(spec.securityContext).toEqual({ runAsUser: 7 });
    expect(spec.tolerations).toEqual([{ key: 'gpu', operator: 'Exists' }]);
    expect(spec.nodeSelector).toEqual({ pool: 'a' });
    expect(spec.volumes?.map((v) => v.name)).toEqual(['cfg', 'shared-memory']);
  });

  it('main comes after the containers of extraPodSpec', () => {
    const spec = clique(pcsOf(one({ extraPodSpec: { containers: [{ name: 'sidecar', image: 's' }] } })), 'svc').spec.podSpec;
    expect(spec.containers.map((c) => c.name)).toEqual(['sidecar', 'main']);
  });

  it('adds the pull secrets the shell found for the main image after those of extraPodSpec, unless discovery is disabled', () => {
    const found = (image: string) => (image === 'img:1' ? ['regcred', 'user'] : []);
    const dgd = one({ extraPodSpec: { imagePullSecrets: [{ name: 'user' }] } });
    expect(clique(pcsOf(dgd, { imagePullSecrets: found }), 'svc').spec.podSpec.imagePullSecrets).toEqual([{ name: 'user' }, { name: 'regcred' }]);
    const off = one({}, { annotations: { 'nvidia.com/disable-image-pull-secret-discovery': 'true' } });
    expect(clique(pcsOf(off, { imagePullSecrets: found }), 'svc').spec.podSpec.imagePullSecrets).toBeUndefined();
  });
});

describe('§2.6 component defaults', () => {
  const pcs = pcsOf(
    testDgd({
      F: testService({ componentType: 'frontend' }),
      W: testService({ componentType: 'worker' }),
      P: testService({ componentType: 'prefill' }),
      D: testService({ componentType: 'decode' }),
      O: testService({ componentType: 'router' }),
    }),
  );

  it('frontend: python3 -m dynamo.frontend, port http 8000, /live and /health probes on http, no startup probe', () => {
    const c = main(pcs, 'f');
    expect([c.command, c.args, c.ports]).toEqual([['python3'], ['-m', 'dynamo.frontend'], [{ name: 'http', containerPort: 8000, protocol: 'TCP' }]]);
    expect(c.livenessProbe).toEqual({ httpGet: { path: '/live', port: 'http' }, initialDelaySeconds: 15, periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3 });
    expect(c.readinessProbe).toEqual({ httpGet: { path: '/health', port: 'http' }, initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 });
    expect(c.startupProbe).toBeUndefined();
  });

  it.each(['w', 'p', 'd'])('%s (worker, prefill, decode): /bin/sh -c, port system 9090, probes on system incl. startup', (name) => {
    const c = main(pcs, name);
    expect([c.command, c.args, c.ports]).toEqual([['/bin/sh', '-c'], undefined, [{ name: 'system', containerPort: 9090, protocol: 'TCP' }]]);
    expect(c.livenessProbe).toEqual({ httpGet: { path: '/live', port: 'system' }, periodSeconds: 5, timeoutSeconds: 4, failureThreshold: 1 });
    expect(c.readinessProbe).toEqual({ httpGet: { path: '/health', port: 'system' }, periodSeconds: 10, timeoutSeconds: 4, failureThreshold: 3 });
    expect(c.startupProbe).toEqual({ httpGet: { path: '/live', port: 'system' }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 720 });
  });

  it('an unrecognised type: /bin/sh -c, no ports, no probes', () => {
    const c = main(pcs, 'o');
    expect([c.command, c.ports, c.livenessProbe, c.readinessProbe, c.startupProbe]).toEqual([['/bin/sh', '-c'], undefined, undefined, undefined, undefined]);
  });

  it('planner is refused (its service account and RBAC are out of scope)', () => {
    const r = translateDynamoGraphDeployment(testDgd({ Planner: testService({ componentType: 'planner' }) }));
    expect(r.ok ? '' : formatFieldErrors(r.errors)).toBe('spec.services[Planner].componentType: Forbidden: the planner component is not supported by copse');
  });
});

describe('§2.7 injected environment', () => {
  const pcs = pcsOf(
    testDgd({ F: testService({ componentType: 'frontend' }), W: testService({ componentType: 'worker' }), X: testService() }, { name: 'g', namespace: 'n' }),
  );
  const common: V1EnvVar[] = [
    { name: 'DYN_NAMESPACE', value: 'n-g' },
    { name: 'DYN_PARENT_DGD_K8S_NAME', value: 'g' },
    { name: 'DYN_PARENT_DGD_K8S_NAMESPACE', value: 'n' },
    fieldRefEnv('POD_NAME', 'metadata.name'),
    fieldRefEnv('POD_NAMESPACE', 'metadata.namespace'),
  ];

  it('every component: DYN_NAMESPACE, DYN_PARENT_DGD_K8S_*, POD_NAME, POD_NAMESPACE; DYN_COMPONENT when typed', () => {
    expect(main(pcs, 'x').env).toEqual(common);
  });

  it('frontend adds DYN_COMPONENT, DYNAMO_PORT and DYN_HTTP_PORT 8000', () => {
    expect(main(pcs, 'f').env).toEqual(
      [...common, { name: 'DYN_COMPONENT', value: 'frontend' }, { name: 'DYNAMO_PORT', value: '8000' }, { name: 'DYN_HTTP_PORT', value: '8000' }].sort((a, b) =>
        a.name < b.name ? -1 : 1,
      ),
    );
  });

  it('workers add DYN_SYSTEM_ENABLED, DYN_SYSTEM_PORT 9090 and DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS', () => {
    expect(main(pcs, 'w').env).toEqual(
      [
        ...common,
        { name: 'DYN_COMPONENT', value: 'worker' },
        { name: 'DYN_SYSTEM_ENABLED', value: 'true' },
        { name: 'DYN_SYSTEM_PORT', value: '9090' },
        { name: 'DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS', value: '["generate"]' },
      ].sort((a, b) => (a.name < b.name ? -1 : 1)),
    );
  });
});

describe('§2.8 resources', () => {
  it('limits.gpu becomes nvidia.com/gpu; cpu and memory their standard names; custom keys verbatim; requests are not filled from limits', () => {
    const c = main(
      pcsOf(one({ resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '2', memory: '4Gi', gpu: '1', custom: { 'rdma/ib': '1' } } } })),
      'svc',
    );
    expect(c.resources).toEqual({ requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '2', memory: '4Gi', 'nvidia.com/gpu': '1', 'rdma/ib': '1' } });
  });

  it('gpuType names the GPU resource instead of nvidia.com/gpu', () => {
    expect(main(pcsOf(one({ resources: { limits: { gpu: '2', gpuType: 'gpu.intel.com/xe' } } })), 'svc').resources).toEqual({ limits: { 'gpu.intel.com/xe': '2' } });
  });

  it('resources of mainContainer are kept and the service resources set on top; claims are copied', () => {
    const c = main(
      pcsOf(one({ resources: { limits: { gpu: '1' }, claims: [{ name: 'dra' }] }, extraPodSpec: { mainContainer: { resources: { limits: { cpu: '3' } } } } })),
      'svc',
    );
    expect(c.resources).toEqual({ limits: { cpu: '3', 'nvidia.com/gpu': '1' }, claims: [{ name: 'dra' }] });
  });

  it('nothing else is added for GPUs (no nodeSelector, tolerations or requests)', () => {
    const spec = clique(pcsOf(one({ resources: { limits: { gpu: '1' } } })), 'svc').spec.podSpec;
    expect([spec.nodeSelector, spec.tolerations, main(pcsOf(one({ resources: { limits: { gpu: '1' } } })), 'svc').resources?.requests]).toEqual([undefined, undefined, undefined]);
  });
});

describe('§2.9 multinode', () => {
  const sglang = (extra: Svc = {}) =>
    testDgd(
      {
        Worker: testService({
          componentType: 'worker',
          replicas: 2,
          multinode: { nodeCount: 3 },
          extraPodSpec: { mainContainer: { command: ['python3', '-m', 'dynamo.sglang'], args: ['--tp', '16'] } },
          ...extra,
        }),
      },
      { name: 'g', spec: { backendFramework: 'sglang' } },
    );

  it('makes a scaling group of the leader and worker cliques: service replicas, minAvailable 1; startup stays AnyOrder', () => {
    const p = pcsOf(sglang());
    expect(p.spec.template.podCliqueScalingGroups).toEqual([{ name: 'worker', cliqueNames: ['worker-ldr', 'worker-wkr'], replicas: 2, minAvailable: 1 }]);
    expect(p.spec.template.cliqueStartupType).toBe('CliqueStartupTypeAnyOrder');
    expect(clique(p, 'worker-wkr').spec.startsAfter).toBeUndefined();
  });

  it('SGLang: --dist-init-addr <leader>:29500 --nnodes N --node-rank (0 on the leader, GROVE_PCLQ_POD_INDEX+1 on workers)', () => {
    const p = pcsOf(sglang());
    const leader = '$(GROVE_PCSG_NAME)-$(GROVE_PCSG_INDEX)-worker-ldr-0.$(GROVE_HEADLESS_SERVICE)';
    expect([main(p, 'worker-ldr').command, main(p, 'worker-ldr').args]).toEqual([
      ['/bin/sh', '-c'],
      [`python3 -m dynamo.sglang --dist-init-addr ${leader}:29500 --nnodes 3 --node-rank 0 --tp 16`],
    ]);
    expect(main(p, 'worker-wkr').args).toEqual([
      `python3 -m dynamo.sglang --dist-init-addr ${leader}:29500 --nnodes 3 --node-rank $((GROVE_PCLQ_POD_INDEX + 1)) --tp 16`,
    ]);
  });

  it('the leader keeps its probes, workers lose all of them', () => {
    const p = pcsOf(sglang());
    const l = main(p, 'worker-ldr');
    const w = main(p, 'worker-wkr');
    expect([!!l.livenessProbe, !!l.readinessProbe, !!l.startupProbe]).toEqual([true, true, true]);
    expect([w.livenessProbe, w.readinessProbe, w.startupProbe]).toEqual([undefined, undefined, undefined]);
  });

  it('vLLM beyond one pod of GPUs runs as Ray: head on the leader before the engine, workers join it', () => {
    const p = pcsOf(
      testDgd({
        W: testService({
          componentType: 'worker',
          multinode: { nodeCount: 2 },
          resources: { limits: { gpu: '8' } },
          extraPodSpec: { mainContainer: { command: ['python3', '-m', 'dynamo.vllm'], args: ['--model', 'm', '--tensor-parallel-size=16'] } },
        }),
      }),
    );
    expect(main(p, 'w-ldr').args).toEqual(['ray start --head --port=6379 && python3 -m dynamo.vllm --model m --tensor-parallel-size=16']);
    expect(main(p, 'w-wkr').args).toEqual(['ray start --address=$(GROVE_PCSG_NAME)-$(GROVE_PCSG_INDEX)-w-ldr-0.$(GROVE_HEADLESS_SERVICE):6379 --block']);
  });

  it.each([
    [
      'TensorRT-LLM (MPI over SSH)',
      testDgd({ W: testService({ multinode: { nodeCount: 2 }, extraPodSpec: { mainContainer: { command: ['python3', '-m', 'dynamo.trtllm'] } } }) }),
      'spec.services[W].multinode: Forbidden: multinode TensorRT-LLM (MPI over SSH) is not supported by copse',
    ],
    [
      'an unknown backend',
      testDgd({ W: testService({ multinode: { nodeCount: 2 }, extraPodSpec: { mainContainer: { command: ['serve'] } } }) }),
      'spec.services[W].multinode: Forbidden: the backend of a multinode service must be known (set spec.backendFramework or run python3 -m dynamo.<backend>)',
    ],
    [
      'data-parallel vLLM that fits one pod',
      testDgd({
        W: testService({ multinode: { nodeCount: 2 }, resources: { limits: { gpu: '4' } }, extraPodSpec: { mainContainer: { command: ['python3', '-m', 'dynamo.vllm'], args: ['-tp', '4'] } } }),
      }),
      'spec.services[W].multinode: Forbidden: tensor × pipeline parallel size (4) fits the 4 GPU(s) of one pod; copse supports multinode vLLM only as a Ray cluster spanning the nodes (data-parallel multinode is not supported)',
    ],
  ])('refuses multinode %s', (_name, dgd, message) => {
    const r = translateDynamoGraphDeployment(dgd);
    expect(r.ok ? '' : formatFieldErrors(r.errors)).toBe(message);
  });
});

describe('§3 the frontend Service', () => {
  const r = translate(
    testDgd({ Frontend: testService({ componentType: 'frontend' }), Worker: testService({ componentType: 'worker' }) }, { name: 'g', namespace: 'n' }),
  );

  it('only frontends get one: <dgd>-<service>, port http 8000 → http, selecting component type and Dynamo namespace, owned by the DGD', () => {
    expect(r.services).toEqual([
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'g-frontend', namespace: 'n', ownerReferences: r.podCliqueSet.metadata.ownerReferences },
        spec: {
          type: 'ClusterIP',
          selector: { 'nvidia.com/dynamo-component-type': 'frontend', 'nvidia.com/dynamo-namespace': 'n-g' },
          ports: [{ name: 'http', port: 8000, targetPort: 'http', protocol: 'TCP' }],
        },
      },
    ]);
  });

  it('its selector matches the frontend clique labels (which Grove puts on the pods)', () => {
    const labels = clique(r.podCliqueSet, 'frontend').labels ?? {};
    for (const [k, v] of Object.entries(r.services[0]?.spec?.selector ?? {})) expect(labels[k]).toBe(v);
    const workerLabels = clique(r.podCliqueSet, 'worker').labels ?? {};
    expect(Object.entries(r.services[0]?.spec?.selector ?? {}).every(([k, v]) => workerLabels[k] === v)).toBe(false);
  });

  it.each([
    ['ingress', { ingress: { enabled: true, host: 'h' } }, 'spec.services[F].ingress.enabled: Forbidden: copse does not create Ingress or VirtualService objects'],
    [
      'autoscaling',
      { autoscaling: { enabled: true, minReplicas: 1, maxReplicas: 2 } },
      'spec.services[F].autoscaling.enabled: Forbidden: autoscaling is not supported for Grove-backed services; scale through spec.services[].replicas',
    ],
    ['modelRef', { modelRef: { name: 'llama' } }, 'spec.services[F].modelRef: Forbidden: model references (the dynamo-model headless Service) are not supported by copse'],
  ])('refuses %s rather than leave it out', (_name, extra, message) => {
    const res = translateDynamoGraphDeployment(testDgd({ F: testService({ componentType: 'frontend', ...extra }) }));
    expect(res.ok ? '' : formatFieldErrors(res.errors)).toBe(message);
  });

  it('disabled ingress and autoscaling are fine', () => {
    expect(translateDynamoGraphDeployment(testDgd({ F: testService({ ingress: { enabled: false }, autoscaling: { enabled: false } }) })).ok).toBe(true);
  });
});

describe('§4 the walkthrough DGD (the announcement, namespace vllm-v1-disagg-router)', () => {
  const NS = 'vllm-v1-disagg-router';
  const walkthrough = (): DynamoGraphDeployment => {
    const { dgd } = dynamoExample();
    const copy = structuredClone(JSON.parse(JSON.stringify(dgd)) as DynamoGraphDeployment);
    copy.metadata.namespace = NS;
    copy.metadata.uid = 'uid-1';
    return copy;
  };
  const r = translate(walkthrough());
  const pcs = r.podCliqueSet;

  it('yields PodCliqueSet dynamo-grove with cliques frontend (1), vllmdecodeworker (2), vllmprefillworker (1), all minAvailable 1, no scaling group', () => {
    expect(pcs.metadata.name).toBe('dynamo-grove');
    expect(pcs.spec.template.cliques.map((c) => [c.name, c.spec.replicas, c.spec.minAvailable])).toEqual([
      ['frontend', 1, 1],
      ['vllmdecodeworker', 2, 1],
      ['vllmprefillworker', 1, 1],
    ]);
    expect(pcs.spec.template.podCliqueScalingGroups).toBeUndefined();
    expect([pcs.spec.replicas, pcs.spec.template.cliqueStartupType, pcs.spec.template.terminationDelay]).toEqual([1, 'CliqueStartupTypeAnyOrder', '15m0s']);
  });

  it('so Grove makes PodClique dynamo-grove-0-vllmdecodeworker and pods dynamo-grove-0-<clique>-xxxxx (4 in all)', () => {
    const pclqs = pcs.spec.template.cliques.map((c) => podCliqueName(pcs.metadata.name ?? '', 0, c.name));
    expect(pclqs).toEqual(['dynamo-grove-0-frontend', 'dynamo-grove-0-vllmdecodeworker', 'dynamo-grove-0-vllmprefillworker']);
    expect(pcs.spec.template.cliques.reduce((n, c) => n + c.spec.replicas, 0)).toBe(4);
  });

  it('and the Service dynamo-grove-frontend on port 8000', () => {
    expect(r.services.map((s) => [s.metadata?.name, s.spec?.ports?.[0]?.port])).toEqual([['dynamo-grove-frontend', 8000]]);
  });

  it('frontend main: the runtime image, python3 -m dynamo.frontend, port http 8000, DYN_ROUTER_MODE=kv, 8Gi /dev/shm', () => {
    const c = main(pcs, 'frontend');
    expect([c.image, c.command, c.args, c.ports]).toEqual([
      'nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.5.1',
      ['python3'],
      ['-m', 'dynamo.frontend'],
      [{ name: 'http', containerPort: 8000, protocol: 'TCP' }],
    ]);
    expect(env(c, 'DYN_ROUTER_MODE')?.value).toBe('kv');
    expect(env(c, 'DYN_NAMESPACE')?.value).toBe(`${NS}-dynamo-grove`);
    expect(c.volumeMounts).toEqual([{ name: 'shared-memory', mountPath: '/dev/shm' }]);
  });

  it('worker main: image, workingDir, python3 -m dynamo.vllm with the announced args, nvidia.com/gpu 1, envFrom hf-token-secret', () => {
    const decode = main(pcs, 'vllmdecodeworker');
    const prefill = main(pcs, 'vllmprefillworker');
    for (const c of [decode, prefill]) {
      expect([c.image, c.workingDir, c.command]).toEqual(['nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.5.1', '/workspace/components/backends/vllm', ['python3', '-m', 'dynamo.vllm']]);
      expect(c.resources).toEqual({ limits: { 'nvidia.com/gpu': '1' } });
      expect(c.envFrom).toEqual([{ secretRef: { name: 'hf-token-secret' } }]);
    }
    expect(decode.args).toEqual(['--model', 'Qwen/Qwen3-0.6B']);
    expect(prefill.args).toEqual(['--model', 'Qwen/Qwen3-0.6B', '--is-prefill-worker']);
  });

  it('as announced (componentType: employee) the workers get the plain defaults: no system port, probes or worker env', () => {
    const c = main(pcs, 'vllmdecodeworker');
    expect([c.ports, c.livenessProbe, c.readinessProbe, c.startupProbe, env(c, 'DYN_SYSTEM_PORT')]).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(env(c, 'DYN_COMPONENT')?.value).toBe('employee');
    expect(clique(pcs, 'vllmdecodeworker').labels?.['nvidia.com/dynamo-component-type']).toBe('employee');
  });

  it("with Dynamo's own componentType: worker, the workers get port system 9090 and the worker probes", () => {
    const dgd = walkthrough();
    for (const s of Object.values(dgd.spec.services ?? {})) if (s.componentType === 'employee') s.componentType = 'worker';
    const c = main(translate(dgd).podCliqueSet, 'vllmdecodeworker');
    expect(c.ports).toEqual([{ name: 'system', containerPort: 9090, protocol: 'TCP' }]);
    expect(c.readinessProbe?.httpGet).toEqual({ path: '/health', port: 'system' });
    expect(env(c, 'DYN_SYSTEM_PORT')?.value).toBe('9090');
  });

  it('ignores the dynamoNamespace of the manifest', () => {
    const elsewhere = walkthrough();
    for (const s of Object.values(elsewhere.spec.services ?? {})) s.dynamoNamespace = 'elsewhere';
    expect(translate(elsewhere)).toEqual(r);
  });

  it('is accepted by copse’s own PodCliqueSet admission (CRD schema, defaulting, webhook rules)', () => {
    expectAdmissible(pcs);
  });

  it('is deterministic whatever the order of the services in the manifest', () => {
    const reversed = walkthrough();
    reversed.spec.services = Object.fromEntries(Object.entries(reversed.spec.services ?? {}).reverse());
    expect(translate(reversed)).toEqual(r);
  });
});

// ---------------------------------------------------------------------------------------------
// §5: Dynamo's walkthrough-era generator test (graph_test.go TestGenerateGrovePodCliqueSet), re-expressed.
// Its Planner services are left out: copse refuses planners (tested above).

describe('§5 TestGenerateGrovePodCliqueSet (walkthrough era)', () => {
  const NAME = 'test-dynamo-graph-deployment';
  const NS = 'test-namespace';
  const DYN_NS = `${NS}-${NAME}`;
  const platform = { etcdEndpoints: 'etcd-address', natsServer: 'nats-address' };
  const annotations = { 'nvidia.com/annotation1': 'annotation1', 'nvidia.com/annotation2': 'annotation2' };
  const userLabels = { 'nvidia.com/label1': 'label1', 'nvidia.com/label2': 'label2' };
  const shm = { name: 'shared-memory', emptyDir: { medium: 'Memory', sizeLimit: '8Gi' } };
  const shmMount = { name: 'shared-memory', mountPath: '/dev/shm' };
  const sorted = (e: V1EnvVar[]): V1EnvVar[] => [...e].sort((a, b) => (a.name < b.name ? -1 : 1));
  const identityEnv = (component: string): V1EnvVar[] => [
    { name: 'DYN_NAMESPACE', value: DYN_NS },
    { name: 'DYN_COMPONENT', value: component },
    { name: 'DYN_PARENT_DGD_K8S_NAME', value: NAME },
    { name: 'DYN_PARENT_DGD_K8S_NAMESPACE', value: NS },
    fieldRefEnv('POD_NAME', 'metadata.name'),
    fieldRefEnv('POD_NAMESPACE', 'metadata.namespace'),
  ];
  const workerEnv = sorted([
    { name: 'DYNAMO_POD_GANG_SET_REPLICAS', value: '1' },
    { name: 'DYN_SYSTEM_ENABLED', value: 'true' },
    { name: 'DYN_SYSTEM_PORT', value: '9090' },
    { name: 'DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS', value: '["generate"]' },
    { name: 'WORKER_ENV_1', value: '1' },
    { name: 'NATS_SERVER', value: 'nats-address' },
    { name: 'ETCD_ENDPOINTS', value: 'etcd-address' },
    ...identityEnv('worker'),
  ]);
  const workerResources = { requests: { cpu: '2', memory: '2Gi' }, limits: { cpu: '2', memory: '2Gi', gpu: '2' } };
  const workerK8sResources = { requests: { cpu: '2', memory: '2Gi' }, limits: { cpu: '2', memory: '2Gi', 'nvidia.com/gpu': '2' } };
  const basePod = { restartPolicy: 'Always', terminationGracePeriodSeconds: 60, securityContext: { fsGroup: 1000 }, volumes: [shm] };
  const workerLabels = (clique: string, sub?: string) => ({
    'nvidia.com/selector': `${NAME}-${clique}`,
    'nvidia.com/dynamo-graph-deployment-name': NAME,
    'nvidia.com/dynamo-namespace': DYN_NS,
    'nvidia.com/dynamo-component-type': 'worker',
    ...(sub ? { 'nvidia.com/dynamo-sub-component-type': sub } : {}),
    'nvidia.com/metrics-enabled': 'true',
    ...userLabels,
  });
  const port = (p: number) => ({ httpGet: { path: '', port: p } });
  const userProbe = (path: string) => ({ httpGet: { ...port(8080).httpGet, path } });
  const multinodeDgd = (backendFramework: 'sglang' | 'vllm', worker: Svc) =>
    testDgd(
      {
        worker: {
          multinode: { nodeCount: 3 },
          extraPodMetadata: { annotations, labels: userLabels },
          replicas: 5,
          componentType: 'worker',
          resources: workerResources,
          envs: [{ name: 'WORKER_ENV_1', value: '1' }],
          ...worker,
        },
      },
      { name: NAME, namespace: NS, spec: { backendFramework, envs: [{ name: 'DYNAMO_POD_GANG_SET_REPLICAS', value: '1' }] } },
    );
  const workerClique = (name: string, replicas: number, container: V1Container, sub?: string): PodCliqueTemplateSpec => ({
    name,
    labels: workerLabels(name, sub),
    annotations,
    spec: { roleName: name, replicas, minAvailable: 1, podSpec: { ...basePod, containers: [container] } },
  });

  it('single node: the frontend clique', () => {
    const dgd = testDgd(
      {
        Frontend: {
          componentType: 'frontend',
          subComponentType: 'test-sub-component',
          extraPodMetadata: { annotations, labels: userLabels },
          replicas: 1,
          resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi', gpu: '1' } },
          envs: [{ name: 'FRONTEND_ENV_1', value: '1' }],
          envFromSecret: 'frontend-secret',
          livenessProbe: userProbe('/health'),
          readinessProbe: userProbe('/ready'),
          extraPodSpec: {
            terminationGracePeriodSeconds: 10,
            imagePullSecrets: [{ name: 'frontend-secret' }],
            mainContainer: { command: ['/bin/sh', '-c', 'echo $FRONTEND_ENV_1'], args: ['--frontend-env-1', '1'], image: 'frontend-image' },
          },
        },
      },
      { name: NAME, namespace: NS, spec: { envs: [{ name: 'DYNAMO_POD_GANG_SET_REPLICAS', value: '1' }] } },
    );
    const pcs = pcsOf(dgd, { platform: { ...platform, modelExpressUrl: 'model-express-url', prometheusEndpoint: 'http://localhost:9090' } });
    expect(pcs.spec.template.cliques).toEqual([
      {
        name: 'frontend',
        labels: {
          'nvidia.com/selector': `${NAME}-frontend`,
          'nvidia.com/dynamo-graph-deployment-name': NAME,
          'nvidia.com/dynamo-namespace': DYN_NS,
          'nvidia.com/dynamo-component-type': 'frontend',
          'nvidia.com/dynamo-sub-component-type': 'test-sub-component',
          'nvidia.com/metrics-enabled': 'true',
          ...userLabels,
        },
        annotations,
        spec: {
          roleName: 'frontend',
          replicas: 1,
          minAvailable: 1,
          podSpec: {
            restartPolicy: 'Always',
            terminationGracePeriodSeconds: 10,
            securityContext: { fsGroup: 1000 },
            imagePullSecrets: [{ name: 'frontend-secret' }],
            volumes: [shm],
            containers: [
              {
                name: 'main',
                image: 'frontend-image',
                command: ['/bin/sh', '-c', 'echo $FRONTEND_ENV_1'],
                args: ['--frontend-env-1', '1'],
                ports: [{ name: 'http', containerPort: 8000, protocol: 'TCP' }],
                envFrom: [{ secretRef: { name: 'frontend-secret' } }],
                livenessProbe: userProbe('/health'),
                readinessProbe: userProbe('/ready'),
                env: sorted([
                  { name: 'DYN_HTTP_PORT', value: '8000' },
                  { name: 'DYNAMO_POD_GANG_SET_REPLICAS', value: '1' },
                  { name: 'FRONTEND_ENV_1', value: '1' },
                  { name: 'DYNAMO_PORT', value: '8000' },
                  { name: 'NATS_SERVER', value: 'nats-address' },
                  { name: 'ETCD_ENDPOINTS', value: 'etcd-address' },
                  { name: 'MODEL_EXPRESS_URL', value: 'model-express-url' },
                  { name: 'PROMETHEUS_ENDPOINT', value: 'http://localhost:9090' },
                  ...identityEnv('frontend'),
                ]),
                resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi', 'nvidia.com/gpu': '1' } },
                volumeMounts: [shmMount],
              },
            ],
          },
        },
      },
    ]);
    expectAdmissible(pcs);
  });

  it('multinode SGLang: leader and worker cliques with the distributed flags', () => {
    const dgd = multinodeDgd('sglang', {
      subComponentType: 'test-sub-component',
      extraPodSpec: { mainContainer: { image: 'worker-image', command: ['/bin/sh', '-c'], args: ['python3 -m dynamo.sglang --custom-flag custom-value'] } },
    });
    const pcs = pcsOf(dgd, { platform });
    const leader = '$(GROVE_PCSG_NAME)-$(GROVE_PCSG_INDEX)-worker-ldr-0.$(GROVE_HEADLESS_SERVICE)';
    const mainOf = (rank: string): V1Container => ({
      name: 'main',
      image: 'worker-image',
      command: ['/bin/sh', '-c'],
      args: [`python3 -m dynamo.sglang --dist-init-addr ${leader}:29500 --nnodes 3 --node-rank ${rank} --custom-flag custom-value`],
      ports: [{ name: 'system', containerPort: 9090, protocol: 'TCP' }],
      env: workerEnv,
      resources: workerK8sResources,
      volumeMounts: [shmMount],
    });
    expect(pcs.spec.template.podCliqueScalingGroups).toEqual([{ name: 'worker', cliqueNames: ['worker-ldr', 'worker-wkr'], replicas: 5, minAvailable: 1 }]);
    expect(pcs.spec.template.cliqueStartupType).toBe('CliqueStartupTypeAnyOrder');
    const probes = {
      livenessProbe: { httpGet: { path: '/live', port: 'system' }, timeoutSeconds: 4, periodSeconds: 5, failureThreshold: 1 },
      readinessProbe: { httpGet: { path: '/health', port: 'system' }, timeoutSeconds: 4, periodSeconds: 10, failureThreshold: 3 },
      startupProbe: { httpGet: { path: '/live', port: 'system' }, timeoutSeconds: 5, periodSeconds: 10, failureThreshold: 720 },
    };
    expect(pcs.spec.template.cliques).toEqual([
      workerClique('worker-ldr', 1, { ...mainOf('0'), ...probes }, 'test-sub-component'),
      workerClique('worker-wkr', 2, mainOf('$((GROVE_PCLQ_POD_INDEX + 1))'), 'test-sub-component'),
    ]);
    expectAdmissible(pcs);
  });

  it('multinode vLLM: a Ray head on the leader, Ray workers without probes', () => {
    const dgd = multinodeDgd('vllm', {
      extraPodSpec: {
        mainContainer: {
          image: 'worker-image',
          command: ['python3', '-m', 'dynamo.vllm'],
          args: ['--custom-flag', 'custom-value', '--tensor-parallel-size', '4', '--pipeline-parallel-size', '1'],
          startupProbe: userProbe('/startup'),
        },
      },
      readinessProbe: userProbe('/ready'),
      livenessProbe: userProbe('/health'),
    });
    const pcs = pcsOf(dgd, { platform });
    const common: V1Container = {
      name: 'main',
      image: 'worker-image',
      command: ['/bin/sh', '-c'],
      ports: [{ name: 'system', containerPort: 9090, protocol: 'TCP' }],
      env: workerEnv,
      resources: workerK8sResources,
      volumeMounts: [shmMount],
    };
    expect(pcs.spec.template.cliques).toEqual([
      workerClique('worker-ldr', 1, {
        ...common,
        args: ['ray start --head --port=6379 && python3 -m dynamo.vllm --custom-flag custom-value --tensor-parallel-size 4 --pipeline-parallel-size 1'],
        readinessProbe: userProbe('/ready'),
        livenessProbe: userProbe('/health'),
        startupProbe: userProbe('/startup'),
      }),
      workerClique('worker-wkr', 2, {
        ...common,
        args: ['ray start --address=$(GROVE_PCSG_NAME)-$(GROVE_PCSG_INDEX)-worker-ldr-0.$(GROVE_HEADLESS_SERVICE):6379 --block'],
      }),
    ]);
    expectAdmissible(pcs);
  });
});
