// Builders for DynamoGraphDeployment test objects (unit tests of api/dynamo and api/rules/dynamo).

import type { DynamoComponentDeploymentSharedSpec, DynamoGraphDeployment, DynamoGraphDeploymentSpec } from '../generated/types.js';

export interface DgdOptions {
  name?: string;
  namespace?: string;
  annotations?: { [k: string]: string };
  spec?: Omit<DynamoGraphDeploymentSpec, 'services'>;
}

/** A DGD as read from the API server (name, namespace, uid set) with the given services. */
export function testDgd(services: { [name: string]: DynamoComponentDeploymentSharedSpec }, o: DgdOptions = {}): DynamoGraphDeployment {
  return {
    apiVersion: 'nvidia.com/v1alpha1',
    kind: 'DynamoGraphDeployment',
    metadata: {
      name: o.name ?? 'graph',
      namespace: o.namespace ?? 'ns',
      uid: '4f9c2d2e-0000-4000-8000-000000000001',
      ...(o.annotations ? { annotations: o.annotations } : {}),
    },
    spec: { ...o.spec, services },
  };
}

/** A service with an image, so it passes validation, plus `extra`. */
export function testService(extra: DynamoComponentDeploymentSharedSpec = {}): DynamoComponentDeploymentSharedSpec {
  return { ...extra, extraPodSpec: { ...extra.extraPodSpec, mainContainer: { image: 'img:1', ...extra.extraPodSpec?.mainContainer } } };
}
