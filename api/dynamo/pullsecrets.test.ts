import { describe, expect, it } from 'vitest';
import type { Secret } from '../core/wire.js';
import { imageRegistry, pullSecretsForImage, secretRegistries } from './pullsecrets.js';

const dockerconfig = (name: string, auths: string[], type = 'kubernetes.io/dockerconfigjson'): Secret => ({
  metadata: { name },
  type,
  data: {
    [type === 'kubernetes.io/dockercfg' ? '.dockercfg' : '.dockerconfigjson']: Buffer.from(
      JSON.stringify(
        type === 'kubernetes.io/dockercfg'
          ? Object.fromEntries(auths.map((a) => [a, { auth: 'x' }]))
          : { auths: Object.fromEntries(auths.map((a) => [a, { auth: 'x' }])) },
      ),
    ).toString('base64'),
  },
});

describe('image pull secret discovery', () => {
  it.each([
    ['nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.5.1', 'nvcr.io'],
    ['localhost:5000/x', 'localhost:5000'],
    ['ubuntu', 'docker.io'],
    ['library/ubuntu:22.04', 'docker.io'],
    ['docker.io/library/ubuntu', 'docker.io'],
    ['Registry.Example.com/team/img', 'registry.example.com'],
  ])('%s comes from %s', (image, registry) => {
    expect(imageRegistry(image)).toBe(registry);
  });

  it('reads the registries of dockerconfigjson and dockercfg Secrets, ignoring others and garbage', () => {
    expect(secretRegistries(dockerconfig('a', ['https://nvcr.io/v2/', 'https://index.docker.io/v1/']))).toEqual(['nvcr.io', 'docker.io']);
    expect(secretRegistries(dockerconfig('b', ['quay.io'], 'kubernetes.io/dockercfg'))).toEqual(['quay.io']);
    expect(secretRegistries({ metadata: { name: 'c' }, type: 'Opaque', data: { '.dockerconfigjson': 'e30=' } })).toEqual([]);
    expect(secretRegistries({ metadata: { name: 'd' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': 'bm90IGpzb24=' } })).toEqual([]);
  });

  it('picks the Secrets for the image registry, sorted by name', () => {
    const secrets = [dockerconfig('z-ngc', ['nvcr.io']), dockerconfig('hub', ['docker.io']), dockerconfig('a-ngc', ['https://nvcr.io'])];
    expect(pullSecretsForImage('nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.5.1', secrets)).toEqual(['a-ngc', 'z-ngc']);
    expect(pullSecretsForImage('ubuntu', secrets)).toEqual(['hub']);
    expect(pullSecretsForImage('quay.io/x', secrets)).toEqual([]);
  });
});
