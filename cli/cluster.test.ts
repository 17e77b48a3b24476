import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shapeFromFlags, workloadSchedulingFromFlag } from './cluster.js';

describe('copse cluster up flags', () => {
  const dir = mkdtempSync(join(tmpdir(), 'copse-cli-'));
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('takes --nodes', () => {
    expect(shapeFromFlags('100', undefined)).toEqual({ nodes: 100 });
    expect(shapeFromFlags(undefined, undefined)).toBeUndefined();
  });

  it('merges a topology file with --nodes', () => {
    const p = file('t.json', JSON.stringify({ hostsPerRack: 8, gpus: 4 }));
    expect(shapeFromFlags('64', p)).toEqual({ hostsPerRack: 8, gpus: 4, nodes: 64 });
  });

  it.each([
    ['--nodes', () => shapeFromFlags('ten', undefined), '--nodes: must be a positive integer, got "ten"'],
    ['unknown field', () => shapeFromFlags(undefined, file('u.json', '{"racks": 3}')), 'unknown field "racks"'],
    ['not an object', () => shapeFromFlags(undefined, file('a.json', '[1]')), 'expected a JSON object'],
    ['bad JSON', () => shapeFromFlags(undefined, file('b.json', '{')), `--topology ${join(dir, 'b.json')}:`],
  ])('rejects %s with a message naming it', (_name, fn, message) => {
    expect(fn).toThrow(message);
  });
});

describe('copse up --workload-scheduling', () => {
  it('takes native or off; without the flag the cluster keeps its mode', () => {
    expect(workloadSchedulingFromFlag('native')).toBe('native');
    expect(workloadSchedulingFromFlag('off')).toBe('off');
    expect(workloadSchedulingFromFlag(undefined)).toBeUndefined();
  });

  it('rejects anything else, naming the flag', () => {
    expect(() => workloadSchedulingFromFlag('gang')).toThrow('--workload-scheduling: must be one of off, native, got "gang"');
  });
});
