import { describe, expect, it } from 'vitest';

import type { Condition } from '../generated/types.js';
import {
  conditionsEqual,
  conditionTime,
  conditionTransition,
  type DesiredCondition,
  mergeConditions,
  removeCondition,
  setCondition,
} from './conditions.js';
import { T0, T1 } from './testing.js';

const ready = (status: DesiredCondition['status'], reason = 'R', message = 'm'): DesiredCondition => ({
  type: 'Ready',
  status,
  reason,
  message,
});

describe('conditionTime', () => {
  it.each([
    ['2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z'],
    ['2025-01-01T00:00:00.987Z', '2025-01-01T00:00:00Z'],
    ['2025-01-01T02:00:00+02:00', '2025-01-01T00:00:00Z'],
    ['2025-01-01t00:00:00z', '2025-01-01T00:00:00Z'],
  ])('%s -> %s', (input, want) => {
    expect(conditionTime(input)).toBe(want);
  });

  it.each(['', 'yesterday', '2025-01-01', '2025-01-01 00:00:00Z', '2025-13-45T00:00:00Z'])(
    'rejects %j naming the parameter',
    (input) => {
      expect(() => conditionTime(input)).toThrow(`now: ${JSON.stringify(input)} is not an RFC 3339 timestamp`);
    },
  );
});

describe('setCondition', () => {
  it('adds a new condition stamped with now and the generation', () => {
    expect(setCondition(undefined, ready('True'), { observedGeneration: 3, now: T0 })).toEqual([
      { type: 'Ready', status: 'True', reason: 'R', message: 'm', lastTransitionTime: T0, observedGeneration: 3 },
    ]);
  });

  it('omits observedGeneration when unknown', () => {
    expect(setCondition([], ready('True'), { observedGeneration: undefined, now: T0 })[0]).not.toHaveProperty(
      'observedGeneration',
    );
  });

  it('keeps lastTransitionTime when only reason, message or generation change', () => {
    const before = setCondition(undefined, ready('True', 'A', 'one'), { observedGeneration: 1, now: T0 });
    const after = setCondition(before, ready('True', 'B', 'two'), { observedGeneration: 2, now: T1 });
    expect(after).toEqual([
      { type: 'Ready', status: 'True', reason: 'B', message: 'two', lastTransitionTime: T0, observedGeneration: 2 },
    ]);
  });

  it('moves lastTransitionTime when the status changes', () => {
    const before = setCondition(undefined, ready('True'), { observedGeneration: 1, now: T0 });
    expect(setCondition(before, ready('False'), { observedGeneration: 1, now: T1 })[0]?.lastTransitionTime).toBe(T1);
  });

  it('keeps positions (stable order) and does not modify its input', () => {
    const list: Condition[] = [
      { type: 'A', status: 'True', reason: 'r', message: '', lastTransitionTime: T0 },
      { type: 'Ready', status: 'True', reason: 'r', message: '', lastTransitionTime: T0 },
      { type: 'C', status: 'True', reason: 'r', message: '', lastTransitionTime: T0 },
    ];
    const copy = structuredClone(list);
    const out = setCondition(list, ready('False'), { observedGeneration: 1, now: T1 });
    expect(out.map((c) => c.type)).toEqual(['A', 'Ready', 'C']);
    expect(list).toEqual(copy);
    expect(setCondition(out, { ...ready('True'), type: 'D' }, { observedGeneration: 1, now: T1 }).map((c) => c.type)).toEqual(
      ['A', 'Ready', 'C', 'D'],
    );
  });
});

describe('mergeConditions', () => {
  const foreign: Condition = { type: 'Unhealthy', status: 'False', reason: 'x', message: 'y', lastTransitionTime: T0 };

  it('sets, removes and keeps conditions of other writers', () => {
    const prev: Condition[] = [foreign, { type: 'Gone', status: 'True', reason: 'r', message: '', lastTransitionTime: T0 }];
    expect(mergeConditions(prev, [ready('True')], ['Gone'], { observedGeneration: 1, now: T1 })).toEqual([
      foreign,
      { type: 'Ready', status: 'True', reason: 'R', message: 'm', lastTransitionTime: T1, observedGeneration: 1 },
    ]);
  });

  it('returns undefined for an empty result (the field is omitted)', () => {
    expect(mergeConditions([foreign], [], ['Unhealthy'], { observedGeneration: 1, now: T0 })).toBeUndefined();
  });

  it('is idempotent: merging the same decision again changes nothing', () => {
    const once = mergeConditions(undefined, [ready('True')], [], { observedGeneration: 1, now: T0 });
    expect(mergeConditions(once, [ready('True')], [], { observedGeneration: 1, now: T1 })).toEqual(once);
  });
});

describe('conditionsEqual', () => {
  const a: Condition = { type: 'A', status: 'True', reason: 'r', message: 'm', lastTransitionTime: T0 };
  const b: Condition = { type: 'B', status: 'False', reason: 'r', message: 'm', lastTransitionTime: T0 };

  it('ignores order and treats absent as empty', () => {
    expect(conditionsEqual([a, b], [b, a])).toBe(true);
    expect(conditionsEqual(undefined, [])).toBe(true);
  });

  it.each<[string, Condition]>([
    ['status', { ...a, status: 'False' }],
    ['reason', { ...a, reason: 'other' }],
    ['message', { ...a, message: 'other' }],
    ['lastTransitionTime', { ...a, lastTransitionTime: T1 }],
    ['observedGeneration', { ...a, observedGeneration: 2 }],
  ])('sees a change of %s', (_field, changed) => {
    expect(conditionsEqual([a, b], [changed, b])).toBe(false);
  });

  it('sees added and removed conditions', () => {
    expect(conditionsEqual([a], [a, b])).toBe(false);
    expect(conditionsEqual([a, b], [a])).toBe(false);
  });
});

describe('removeCondition and conditionTransition', () => {
  const a: Condition = { type: 'A', status: 'True', reason: 'r', message: '', lastTransitionTime: T0 };

  it('removes by type', () => {
    expect(removeCondition([a], 'A')).toEqual([]);
    expect(removeCondition(undefined, 'A')).toEqual([]);
  });

  it('reports status transitions only', () => {
    expect(conditionTransition([a], [{ ...a, message: 'x' }], 'A')).toBeUndefined();
    expect(conditionTransition([a], [{ ...a, status: 'False' }], 'A')).toEqual({ from: 'True', to: 'False' });
    expect(conditionTransition(undefined, [a], 'A')).toEqual({ from: undefined, to: 'True' });
  });
});
