// The CRDs as kube-apiserver stores them after `copse install` (run by the global
// setup) must be exactly what the schemas generate: nothing lost on the way.
import { describe, expect, inject, it } from 'vitest';
import { allCrds } from '../../api/crds.js';
import { kubectl } from '../support/kube.js';

const kubeconfig = inject('kubeconfig');

describe('installed CRDs', () => {
  it.each(allCrds().map((c) => [c.metadata.name, c] as const))('%s keeps every schema keyword', async (name, crd) => {
    const r = await kubectl(kubeconfig, ['get', 'crd', name, '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const stored = JSON.parse(r.stdout) as typeof crd;
    expect(stored.spec.versions[0]?.schema.openAPIV3Schema).toEqual(crd.spec.versions[0]?.schema.openAPIV3Schema);
    expect(stored.spec.versions[0]?.additionalPrinterColumns).toEqual(crd.spec.versions[0]?.additionalPrinterColumns);
    expect(stored.spec.names).toMatchObject(crd.spec.names);
  });
});
