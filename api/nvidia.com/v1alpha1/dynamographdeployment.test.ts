// The DynamoGraphDeployment CRD through the offline apiserver pipeline (normalize, schema, CEL): the
// walkthrough manifest is accepted unchanged, typed PodSpec fields are validated and pruned as
// Dynamo's own CRD does, and the CRD-level rules reject what they should.

import { beforeAll, describe, expect, it } from 'vitest';
import { dynamoExample } from '../../../test/support/dynamo-example.js';
import { formatFieldErrors } from '../../field-errors.js';
import { admitOffline, compiledValidator } from '../../validators.js';

type Obj = Record<string, unknown>;

const dgd = (services: Obj, extra: Obj = {}): Obj => ({
  apiVersion: 'nvidia.com/v1alpha1',
  kind: 'DynamoGraphDeployment',
  metadata: { name: 'g', namespace: 'ns' },
  spec: { services, ...extra },
});

const admit = (o: Obj) => admitOffline('DynamoGraphDeployment', o);

/** What the apiserver appends when schema errors stop the CEL rules of a kind that has some. */
const CEL_SKIPPED = '<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation';
const withCelSkipped = (m: string): string => `[${m}, ${CEL_SKIPPED}]`;

describe('DynamoGraphDeployment CRD admission (offline)', () => {
  // compiling the schema (a whole PodSpec and Container) takes seconds on a busy machine
  beforeAll(() => void compiledValidator('DynamoGraphDeployment'), 60_000);

  it('accepts the walkthrough manifest unchanged: nothing pruned, nothing defaulted, no errors', () => {
    const { dgd: walkthrough } = dynamoExample();
    const r = admit(walkthrough as unknown as Obj);
    expect(r.errors).toEqual([]);
    expect(r.pruned).toEqual([]);
    expect(r.object).toEqual(walkthrough);
  });

  it('mainContainer needs no name and extraPodSpec no containers (as Dynamo strips both from required)', () => {
    const r = admit(dgd({ W: { extraPodSpec: { mainContainer: { image: 'x' } } } }));
    expect(r.errors).toEqual([]);
  });

  it('validates embedded core types: a probe port of the wrong type is refused with its path', () => {
    const r = admit(dgd({ W: { livenessProbe: { httpGet: { path: '/live', port: true } } } }));
    expect(formatFieldErrors(r.errors)).toBe(
      withCelSkipped(
        'spec.services.W.livenessProbe.httpGet.port: Invalid value: "boolean": spec.services.W.livenessProbe.httpGet.port in body must be of type integer,string: "boolean"',
      ),
    );
  });

  it('prunes unknown fields inside mainContainer and the service, keeps known PodSpec fields', () => {
    const r = admit(
      dgd({
        W: {
          bogus: 1,
          extraPodSpec: { tolerations: [{ key: 'k', operator: 'Exists' }], mainContainer: { image: 'x', imageTag: 'y' } },
        },
      }),
    );
    expect(r.errors).toEqual([]);
    expect(r.pruned).toEqual(['spec.services.W.bogus', 'spec.services.W.extraPodSpec.mainContainer.imageTag']);
    expect(r.object).toMatchObject({ spec: { services: { W: { extraPodSpec: { tolerations: [{ key: 'k', operator: 'Exists' }] } } } } });
  });

  it('does not default the name of mainContainer (the stored object keeps what the user wrote)', () => {
    const r = admit(dgd({ W: { extraPodSpec: { mainContainer: { image: 'x' }, containers: [{ name: 'side', image: 'y' }] } } }));
    expect(r.errors).toEqual([]);
    expect(r.object).toMatchObject({ spec: { services: { W: { extraPodSpec: { mainContainer: { image: 'x' } } } } } });
    expect(JSON.stringify(r.object)).not.toContain('"name":""');
  });

  it('an env var without a name is refused, not stored with name "" (no vendored default on required names)', () => {
    expect(formatFieldErrors(admit(dgd({ W: { envs: [{ value: 'v' }] } })).errors)).toBe(withCelSkipped('spec.services.W.envs[0].name: Required value'));
  });

  it('defaults multinode.nodeCount to 2 and container port protocols to TCP', () => {
    const r = admit(dgd({ W: { multinode: {}, extraPodSpec: { mainContainer: { ports: [{ containerPort: 1 }] } } } }));
    expect(r.errors).toEqual([]);
    expect(r.object).toMatchObject({
      spec: { services: { W: { multinode: { nodeCount: 2 }, extraPodSpec: { mainContainer: { ports: [{ containerPort: 1, protocol: 'TCP' }] } } } } },
    });
  });

  it.each([
    [
      'negative replicas',
      dgd({ W: { replicas: -1 } }),
      withCelSkipped('spec.services.W.replicas: Invalid value: -1: spec.services.W.replicas in body should be greater than or equal to 0'),
    ],
    [
      'a single-node multinode',
      dgd({ W: { multinode: { nodeCount: 1 } } }),
      withCelSkipped(
        'spec.services.W.multinode.nodeCount: Invalid value: 1: spec.services.W.multinode.nodeCount in body should be greater than or equal to 2',
      ),
    ],
    [
      'an unknown backend',
      dgd({ W: {} }, { backendFramework: 'tgi' }),
      withCelSkipped('spec.backendFramework: Unsupported value: "tgi": supported values: "sglang", "vllm", "trtllm"'),
    ],
    [
      'more than 25 services',
      dgd(Object.fromEntries(Array.from({ length: 26 }, (_, i) => [`s${i}`, {}]))),
      withCelSkipped('spec.services: Too many: 26: must have at most 25 items'),
    ],
    [
      'a PVC to create without size, class and mode',
      dgd({ W: {} }, { pvcs: [{ name: 'cache', create: true }] }),
      'spec.pvcs[0]: Invalid value: When create is true, size, storageClass, and volumeAccessMode are required',
    ],
    [
      'a disabled shared memory with a size',
      dgd({ W: { sharedMemory: { disabled: true, size: '1Gi' } } }),
      'spec.services.W.sharedMemory: Invalid value: size must not be set when shared memory is disabled',
    ],
  ])('refuses %s', (_name, obj, message) => {
    expect(formatFieldErrors(admit(obj).errors)).toBe(message);
  });
});
