import { describe, expect, it } from 'vitest';
import { KubeError } from './errors.js';
import { RESOURCES, objectKey, resourceFor, resourcePath, splitKey } from './resources.js';

describe('resourcePath', () => {
  it('builds core, group, namespaced, cluster and subresource paths', () => {
    expect(resourcePath(RESOURCES.pods, { namespace: 'a', name: 'p' })).toBe('/api/v1/namespaces/a/pods/p');
    expect(resourcePath(RESOURCES.pods)).toBe('/api/v1/pods');
    expect(resourcePath(RESOURCES.podCliqueSets, { namespace: 'a', name: 'x', subresource: 'status' })).toBe('/apis/grove.io/v1alpha1/namespaces/a/podcliquesets/x/status');
    expect(resourcePath(RESOURCES.clusterTopologyBindings, { namespace: 'ignored', name: 't' })).toBe('/apis/grove.io/v1alpha1/clustertopologybindings/t');
  });

  it('encodes segments so a name can never address another URL', () => {
    expect(resourcePath(RESOURCES.clusterTopologyBindings, { name: 'a/b?c' })).toBe('/apis/grove.io/v1alpha1/clustertopologybindings/a%2Fb%3Fc');
    for (const bad of ['..', '.', '']) {
      expect(() => resourcePath(RESOURCES.clusterTopologyBindings, { name: bad })).toThrow(KubeError);
    }
  });

  it('round-trips cache keys', () => {
    expect(objectKey('ns', 'n')).toBe('ns/n');
    expect(objectKey(undefined, 'n')).toBe('n');
    expect(splitKey('ns/n')).toEqual({ namespace: 'ns', name: 'n' });
    expect(splitKey('n')).toEqual({ namespace: undefined, name: 'n' });
  });
});

describe('resourceFor', () => {
  it('finds the resource of an apiVersion and kind, and names what it does not know', () => {
    expect(resourceFor('apps/v1', 'Deployment')).toBe(RESOURCES.deployments);
    expect(resourceFor('v1', 'Namespace')).toBe(RESOURCES.namespaces);
    expect(() => resourceFor('apps/v1beta1', 'Deployment')).toThrow('no known resource serves apiVersion "apps/v1beta1" kind "Deployment"');
    expect(() => resourceFor(undefined, undefined)).toThrow('no known resource serves apiVersion undefined kind undefined');
  });
});
