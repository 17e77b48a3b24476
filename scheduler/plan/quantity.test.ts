import { describe, expect, it } from 'vitest';
import { PlanInputError } from './errors.js';
import { formatAmount, resourceAmount } from './quantity.js';

describe('resourceAmount', () => {
  it.each([
    ['cpu', '100m', 100],
    ['cpu', '0.1', 100], // exact: binary floating point would make this 101 after rounding up
    ['cpu', '1', 1000],
    ['cpu', 2, 2000],
    ['cpu', 0.25, 250],
    ['cpu', '1.5', 1500],
    ['cpu', '.5', 500],
    ['cpu', '5.', 5000],
    ['cpu', '+1', 1000],
    ['cpu', '1e3', 1_000_000],
    ['cpu', '1n', 1], // MilliValue rounds up
    ['cpu', '2k', 2_000_000],
    ['memory', '1Gi', 2 ** 30],
    ['memory', '1.5Gi', 1_610_612_736],
    ['memory', '500Mi', 500 * 2 ** 20],
    ['memory', '1G', 1e9],
    ['memory', '129e6', 129e6],
    ['memory', '128974848', 128974848],
    ['memory', '100m', 1], // Value rounds up: 0.1 byte is one byte
    ['memory', '1E', 1e18],
    ['memory', '1Ki', 1024],
    ['nvidia.com/gpu', '8', 8],
    ['nvidia.com/gpu', '0.5', 1],
    ['nvidia.com/gpu', 0, 0],
    ['pods', '110', 110],
    ['hugepages-2Mi', '4Mi', 4 * 2 ** 20],
  ])('%s %j → %d', (resource, q, want) => {
    expect(resourceAmount(resource, q, 'f')).toBe(want);
  });

  it.each(['abc', '', '1.2.3', '1Ki2', '--1', ' 1', '1 Gi', '1e', 'Gi', '.', '1ki'])('rejects %j naming the field', (q) => {
    expect(() => resourceAmount('memory', q, 'spec.containers[0].resources.requests.memory')).toThrow(PlanInputError);
    expect(() => resourceAmount('memory', q, 'spec.containers[0].resources.requests.memory')).toThrow(
      `spec.containers[0].resources.requests.memory: invalid quantity ${JSON.stringify(q)}`,
    );
  });

  it('rejects a value that is neither a string nor a number', () => {
    expect(() => resourceAmount('cpu', true as unknown as string, 'x.cpu')).toThrow('x.cpu: invalid quantity true');
  });

  it('caps absurd exponents instead of building huge numbers', () => {
    expect(resourceAmount('memory', '1e400', 'f')).toBe(Number.MAX_SAFE_INTEGER);
    expect(resourceAmount('memory', '1e-400', 'f')).toBe(1);
  });
});

describe('formatAmount', () => {
  it.each([
    ['cpu', 4000, '4'],
    ['cpu', 500, '500m'],
    ['cpu', 1500, '1500m'],
    ['memory', 16 * 2 ** 30, '16Gi'],
    ['memory', 1536 * 2 ** 20, '1536Mi'],
    ['memory', 1000, '1000'],
    ['memory', 0, '0'],
    ['ephemeral-storage', 2 ** 40, '1Ti'],
    ['hugepages-2Mi', 2 * 2 ** 20, '2Mi'],
    ['nvidia.com/gpu', 8, '8'],
    ['pods', 110, '110'],
  ])('%s %d → %s', (resource, amount, want) => {
    expect(formatAmount(resource, amount)).toBe(want);
  });
});
