// The DynamoGraphDeployment validating webhook handler: the announcement's DGD is admitted, a DGD
// copse cannot run is refused with the field named, updates get Dynamo's immutability rules, and
// DELETE always passes.
import { beforeAll, describe, expect, it } from 'vitest';
import { formatFieldErrors } from '../api/field-errors.js';
import { compiledValidator } from '../api/validators.js';
import { dynamoExample } from '../test/support/dynamo-example.js';
import type { AdmissionDecision, AdmissionRequest, Operation } from './admission.js';
import { validateDynamoGraphDeploymentHandler } from './dynamo.js';

type Obj = Record<string, unknown>;

function request(operation: Operation, object: Obj | null, oldObject?: Obj, kind = { group: 'nvidia.com', version: 'v1alpha1', kind: 'DynamoGraphDeployment' }): AdmissionRequest {
  return {
    uid: 'u',
    kind,
    resource: { group: kind.group, version: kind.version, resource: 'dynamographdeployments' },
    operation,
    userInfo: { username: 'someone' },
    namespace: 'ns',
    name: 'dynamo-grove',
    object,
    ...(oldObject ? { oldObject } : {}),
  };
}

function denial(d: AdmissionDecision): string {
  if (d.allowed) return 'allowed';
  return 'errors' in d && d.errors ? formatFieldErrors(d.errors) : (d.message ?? '');
}

const example = (): Obj => ({ ...dynamoExample().dgd, metadata: { name: 'dynamo-grove', namespace: 'ns' } }) as unknown as Obj;

describe('validateDynamoGraphDeploymentHandler', () => {
  // Compiling the DGD schema takes seconds on a busy machine; the server does it before it reports ready.
  beforeAll(() => void compiledValidator('DynamoGraphDeployment'), 60_000);

  it("admits the announcement's DGD on create", () => {
    expect(denial(validateDynamoGraphDeploymentHandler(request('CREATE', example())))).toBe('allowed');
  });

  it('refuses a planner, naming spec.services[Planner].componentType', () => {
    const dgd = example();
    (dgd['spec'] as { services: Obj }).services['Planner'] = { componentType: 'planner', extraPodSpec: { mainContainer: { image: 'i' } } };
    expect(denial(validateDynamoGraphDeploymentHandler(request('CREATE', dgd)))).toBe(
      'spec.services[Planner].componentType: Forbidden: the planner component is not supported by copse',
    );
  });

  it('refuses a schema violation before the rules run (replicas below 0)', () => {
    const dgd = example();
    ((dgd['spec'] as { services: Record<string, Obj> }).services['Frontend'] as Obj)['replicas'] = -1;
    expect(denial(validateDynamoGraphDeploymentHandler(request('CREATE', dgd)))).toBe(
      '[spec.services.Frontend.replicas: Invalid value: -1: spec.services.Frontend.replicas in body should be greater than or equal to 0, ' +
        '<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation]',
    );
  });

  it('refuses a changed backendFramework on update', () => {
    const old = { ...example(), spec: { ...(example()['spec'] as Obj), backendFramework: 'vllm' } };
    expect(denial(validateDynamoGraphDeploymentHandler(request('UPDATE', example(), old)))).toBe('spec.backendFramework: Invalid value: "": field is immutable');
  });

  it('lets DELETE through whatever the object', () => {
    expect(denial(validateDynamoGraphDeploymentHandler(request('DELETE', null)))).toBe('allowed');
  });

  it('refuses another kind', () => {
    const d = validateDynamoGraphDeploymentHandler(request('CREATE', {}, undefined, { group: 'grove.io', version: 'v1alpha1', kind: 'PodCliqueSet' }));
    expect(denial(d)).toBe('this webhook admits nvidia.com/DynamoGraphDeployment only, got grove.io/PodCliqueSet');
  });
});
