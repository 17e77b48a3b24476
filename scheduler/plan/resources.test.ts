import { describe, expect, it } from 'vitest';
import type { Pod, V1Container, V1PodSpec } from './kube-types.js';
import { containerRequests, nodeAllocatable, podHoldsResources, podRequests } from './resources.js';

const GiB = 2 ** 30;

function c(name: string, requests?: Record<string, string>, limits?: Record<string, string>, extra: Partial<V1Container> = {}): V1Container {
  return { name, resources: { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) }, ...extra };
}

function spec(containers: V1Container[], extra: Partial<V1PodSpec> = {}): V1PodSpec {
  return { containers, ...extra };
}

describe('containerRequests', () => {
  it('takes requests as given', () => {
    expect(containerRequests(c('a', { cpu: '500m', memory: '1Gi' }))).toEqual({ cpu: 500, memory: GiB });
  });

  it('requests a resource at its limit when only the limit is set (extended resources included)', () => {
    expect(containerRequests(c('a', undefined, { cpu: '2', 'nvidia.com/gpu': '4' }))).toEqual({ cpu: 2000, 'nvidia.com/gpu': 4 });
  });

  it('keeps an explicit request below its limit, per resource', () => {
    expect(containerRequests(c('a', { cpu: '1' }, { cpu: '4', memory: '8Gi' }))).toEqual({ cpu: 1000, memory: 8 * GiB });
  });

  it('leaves out copse\'s extender marker, which kube-scheduler ignores and no node offers', () => {
    expect(containerRequests(c('a', { cpu: '1', 'scheduling.copse.io/extender': '1' }, { 'scheduling.copse.io/extender': '1' }))).toEqual({ cpu: 1000 });
  });

  it('is empty for a container without resources', () => {
    expect(containerRequests({ name: 'a' })).toEqual({});
  });
});

describe('podRequests', () => {
  it('sums the app containers', () => {
    expect(podRequests(spec([c('a', { cpu: '1', memory: '1Gi' }), c('b', { cpu: '500m', 'nvidia.com/gpu': '2' })]))).toEqual({
      cpu: 1500,
      memory: GiB,
      'nvidia.com/gpu': 2,
    });
  });

  it('takes the larger of the app sum and each init container, resource by resource', () => {
    const s = spec([c('a', { cpu: '1', memory: '4Gi' }), c('b', { cpu: '1', memory: '4Gi' })], {
      initContainers: [c('i1', { cpu: '3', memory: '1Gi' }), c('i2', { cpu: '1', memory: '2Gi' })],
    });
    expect(podRequests(s)).toEqual({ cpu: 3000, memory: 8 * GiB });
  });

  it('counts a sidecar (restartable init container) with the app containers and with every later init container', () => {
    const s = spec([c('app', { cpu: '1' })], {
      initContainers: [c('side', { cpu: '500m' }, undefined, { restartPolicy: 'Always' }), c('setup', { cpu: '2' })],
    });
    // app phase: 1 + 0.5 sidecar = 1.5; init phase: setup 2 + sidecar 0.5 = 2.5
    expect(podRequests(s)).toEqual({ cpu: 2500 });
  });

  it('does not add a sidecar to init containers that run before it', () => {
    const s = spec([c('app', { cpu: '1' })], {
      initContainers: [c('setup', { cpu: '2' }), c('side', { cpu: '500m' }, undefined, { restartPolicy: 'Always' })],
    });
    expect(podRequests(s)).toEqual({ cpu: 2000 });
  });

  it('adds the RuntimeClass overhead', () => {
    expect(podRequests(spec([c('a', { cpu: '1' })], { overhead: { cpu: '250m', memory: '120Mi' } }))).toEqual({ cpu: 1250, memory: 120 * 2 ** 20 });
  });

  it('lets pod-level cpu and memory replace the containers, limits implying requests, but not extended resources', () => {
    const s = spec([c('a', { cpu: '1', memory: '1Gi', 'nvidia.com/gpu': '1' })], { resources: { requests: { cpu: '4' }, limits: { memory: '16Gi', 'nvidia.com/gpu': '8' } } });
    expect(podRequests(s)).toEqual({ cpu: 4000, memory: 16 * GiB, 'nvidia.com/gpu': 1 });
  });

  it('names the malformed field', () => {
    expect(() => podRequests(spec([c('a'), c('b', { cpu: 'lots' })]), 'pods[3].spec')).toThrow('pods[3].spec.containers[1].resources.requests.cpu: invalid quantity "lots"');
  });
});

describe('nodeAllocatable', () => {
  it('reads status.allocatable, never capacity', () => {
    const n = { metadata: { name: 'n' }, status: { capacity: { cpu: '64', pods: '110' }, allocatable: { cpu: '63500m', pods: '100' } } };
    expect(nodeAllocatable(n)).toEqual({ cpu: 63500, pods: 100 });
  });

  it('is empty without status', () => {
    expect(nodeAllocatable({ metadata: { name: 'n' } })).toEqual({});
  });
});

describe('podHoldsResources', () => {
  const pod = (nodeName: string | undefined, phase?: string, deleting = false): Pod => ({
    metadata: { name: 'p', ...(deleting ? { deletionTimestamp: '2025-01-01T00:00:00Z' } : {}) },
    spec: { containers: [], ...(nodeName ? { nodeName } : {}) },
    status: phase ? { phase } : {},
  });

  it.each([
    ['unbound', pod(undefined, 'Pending'), false],
    ['bound and pending', pod('n1', 'Pending'), true],
    ['running', pod('n1', 'Running'), true],
    ['terminating', pod('n1', 'Running', true), true],
    ['succeeded', pod('n1', 'Succeeded'), false],
    ['failed', pod('n1', 'Failed'), false],
  ])('%s → %s', (_name, p, want) => {
    expect(podHoldsResources(p)).toBe(want);
  });
});
