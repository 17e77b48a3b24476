import { describe, expect, it } from 'vitest';
import { loadYaml } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { extenderConfig, extendersYaml } from './config.js';

describe('extender configuration', () => {
  it('renders the extenders block kube-scheduler reads, with the choices documented in config.ts', () => {
    const yaml = extendersYaml([extenderConfig({ urlPrefix: 'https://127.0.0.1:20006/scheduler', caData: 'Q0E=' })]);
    expect(loadYaml(yaml)).toEqual({
      extenders: [
        {
          urlPrefix: 'https://127.0.0.1:20006/scheduler',
          filterVerb: 'filter',
          prioritizeVerb: 'prioritize',
          weight: 1,
          nodeCacheCapable: true,
          enableHTTPS: true,
          tlsConfig: { caData: 'Q0E=' },
          httpTimeout: '5s',
          ignorable: true,
        },
      ],
    });
  });

  it('with the marker, manages only copse\'s extender marker, which kube-scheduler itself ignores', () => {
    const doc = loadYaml(extendersYaml([extenderConfig({ urlPrefix: 'https://127.0.0.1:20006/scheduler', marker: true })])) as { extenders: Record<string, unknown>[] };
    expect(doc.extenders[0]?.['managedResources']).toEqual([{ name: 'scheduling.copse.io/extender', ignoredByScheduler: true }]);
    expect(extenderConfig({ urlPrefix: 'https://x/scheduler' })).not.toHaveProperty('managedResources');
  });

  it('prioritize needs a positive weight (kube-scheduler refuses the configuration otherwise)', () => {
    expect(extenderConfig({ urlPrefix: 'https://x/scheduler' }).weight).toBeGreaterThan(0);
  });
});

describe.each([
  ['kube-scheduler-config.yaml', false],
  ['kube-scheduler-config-native.yaml', true],
])('manifests/scheduler/%s', (file, marker) => {
  it('carries exactly the extender entry copse renders for its Service', () => {
    const doc = loadYaml(readFileSync(new URL(`../manifests/scheduler/${file}`, import.meta.url), 'utf8')) as {
      apiVersion: string;
      kind: string;
      extenders: Record<string, unknown>[];
    };
    expect(doc.apiVersion).toBe('kubescheduler.config.k8s.io/v1');
    expect(doc.kind).toBe('KubeSchedulerConfiguration');
    const [entry] = doc.extenders;
    const want = extenderConfig({ urlPrefix: 'https://copse-extender.copse-system.svc:9444/scheduler', caData: String((entry?.tlsConfig as { caData?: string })?.caData), marker });
    expect(entry).toEqual(want);
  });
});

