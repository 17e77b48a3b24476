import { describe, expect, it } from 'vitest';
import { apiPath, customResourcePath } from './paths.js';

describe('apiPath', () => {
  it('encodes every segment on its own', () => {
    expect(apiPath('api', 'v1', 'namespaces', 'copse-system', 'secrets')).toBe('/api/v1/namespaces/copse-system/secrets');
    expect(apiPath('apis', 'grove.io', 'v1alpha1', 'clustertopologybindings', 'a/b?c#d%')).toBe('/apis/grove.io/v1alpha1/clustertopologybindings/a%2Fb%3Fc%23d%25');
  });

  it.each(['..', '.', ''])('refuses %j, which a URL parser would resolve or drop', (segment) => {
    expect(() => apiPath('apis', 'grove.io', 'v1alpha1', 'clustertopologybindings', segment)).toThrow(
      `${JSON.stringify(segment)} cannot be a segment of an API path`,
    );
  });

  it('builds custom resource paths, namespaced or not', () => {
    const r = { group: 'grove.io', version: 'v1alpha1', plural: 'podcliquesets' };
    expect(customResourcePath(r)).toBe('/apis/grove.io/v1alpha1/podcliquesets');
    expect(customResourcePath(r, 'x', 'default')).toBe('/apis/grove.io/v1alpha1/namespaces/default/podcliquesets/x');
    expect(customResourcePath({ ...r, plural: 'clustertopologybindings' }, 'grove-topology')).toBe('/apis/grove.io/v1alpha1/clustertopologybindings/grove-topology');
  });
});
