import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { childFor, createLogger, parseLogLevel } from './log.js';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  return { stream, lines: () => chunks.join('').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('log', () => {
  it('parses levels and falls back to info', () => {
    expect(parseLogLevel('DEBUG')).toBe('debug');
    expect(parseLogLevel('silent')).toBe('silent');
    expect(parseLogLevel('loud')).toBe('info');
    expect(parseLogLevel(undefined)).toBe('info');
  });

  it('writes JSON lines with a label level and object fields from childFor', () => {
    const c = capture();
    const root = createLogger('debug', c.stream);
    childFor('PodCliqueSet', 'default', 'simple1', root).debug({ step: 'x' }, 'hello');
    root.trace('dropped');
    const [line, ...rest] = c.lines();
    expect(rest).toHaveLength(0);
    expect(line).toMatchObject({ level: 'debug', app: 'copse', kind: 'PodCliqueSet', namespace: 'default', name: 'simple1', step: 'x', msg: 'hello' });
    expect(typeof line?.['time']).toBe('string');
  });
});
