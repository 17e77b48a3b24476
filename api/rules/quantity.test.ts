import { describe, expect, it } from 'vitest';
import { isQuantity, quantityValue } from './quantity.js';

describe('resource quantities', () => {
  it.each(['1', '0', '500m', '4Gi', '1.5', '.5', '+2', '-1', '1e3', '2E-2', '10Ki', '3n'])('%s is a quantity', (s) => {
    expect(isQuantity(s)).toBe(true);
  });

  it.each(['', 'one', '1 Gi', '1GB', '1gi', 'Gi', '1.2.3', '1e', '0x10'])('%j is not a quantity', (s) => {
    expect(isQuantity(s)).toBe(false);
    expect(quantityValue(s)).toBeUndefined();
  });

  it.each([
    ['1', 1],
    ['500m', 0.5],
    ['4Gi', 4 * 2 ** 30],
    ['2k', 2000],
    ['1e3', 1000],
    ['.5', 0.5],
  ])('%s is %d', (s, v) => {
    expect(quantityValue(s)).toBe(v);
  });
});
