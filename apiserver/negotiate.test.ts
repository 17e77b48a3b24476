import { describe, expect, it } from 'vitest';

import { negotiate, type Representation } from './negotiate.js';

const KUBECTL_GET = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const ALL: Representation[] = ['table', 'partial', 'discovery-v2'];

describe('negotiate: what the client asked for', () => {
  it.each<[string | undefined, Representation[], Representation | undefined]>([
    [undefined, ALL, 'json'],
    ['', ALL, 'json'],
    ['application/json', ALL, 'json'],
    ['*/*', ALL, 'json'],
    ['application/*', ALL, 'json'],
    [KUBECTL_GET, ALL, 'table'],
    // An endpoint that cannot make tables falls through to kubectl's plain JSON entry.
    [KUBECTL_GET, [], 'json'],
    ['application/json;as=Table;v=v1beta1;g=meta.k8s.io', ALL, 'table'],
    ['application/json; as="Table"; v=v1; g=meta.k8s.io', ALL, 'table'],
    ['application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io', ALL, 'partial'],
    ['application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json', ALL, 'discovery-v2'],
    // v2beta1 discovery is gone in v1.37: the client falls back to its plain JSON entry.
    ['application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json', ALL, 'json'],
    ['application/json;as=Table;v=v2;g=meta.k8s.io', ALL, undefined],
    ['application/vnd.kubernetes.protobuf', ALL, undefined],
    ['application/vnd.kubernetes.protobuf,application/json', ALL, 'json'],
    ['text/html', ALL, undefined],
  ])('%j (can make %j) → %s', (accept, want, repr) => {
    expect(negotiate(accept, want)).toBe(repr);
  });
});
