import { describe, expect, it } from 'vitest';
import { loadYaml } from '@kubernetes/client-node';
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

  it('prioritize needs a positive weight (kube-scheduler refuses the configuration otherwise)', () => {
    expect(extenderConfig({ urlPrefix: 'https://x/scheduler' }).weight).toBeGreaterThan(0);
  });
});
