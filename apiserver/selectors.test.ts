import { describe, expect, it } from 'vitest';

import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import { ApiError } from './status.js';

function message(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof ApiError) return `${e.code} ${e.status.message}`;
    throw e;
  }
  throw new Error('accepted');
}

const labels = { app: 'inf', tier: 'gpu', 'topology.copse.io/rack': 'r1', gen: '7' };

describe('label selectors as apimachinery reads them', () => {
  it.each([
    ['', true],
    ['app=inf', true],
    ['app==inf', true],
    ['app!=inf', false],
    ['app!=other', true],
    ['missing!=x', true],
    ['app', true],
    ['!app', false],
    ['!missing', true],
    ['tier in (cpu, gpu)', true],
    ['tier notin (gpu)', false],
    ['missing notin (gpu)', true],
    ['topology.copse.io/rack=r1,app=inf', true],
    ['topology.copse.io/rack=r1,app=other', false],
    ['gen>6', true],
    ['gen<7', false],
    ['app>1', false],
    ['empty=', false],
  ])('%j matches: %s', (s, want) => {
    expect(parseLabelSelector(s).matches(labels)).toBe(want);
  });

  it('an empty value matches a label set to ""', () => {
    expect(parseLabelSelector('x=').matches({ x: '' })).toBe(true);
    expect(parseLabelSelector('x in (a,)').matches({ x: '' })).toBe(true);
  });

  it.each([
    ['app=', undefined],
    ['=x', '400 unable to parse requirement: expected a label key, found "="'],
    ['app in x', '400 unable to parse requirement: expected "(" after in/notin'],
    ['app in (a b)', '400 unable to parse requirement: expected "," or ")" in a value set, found "b"'],
    ['app in (a', '400 unable to parse requirement: expected "," or ")" in a value set, found end of selector'],
    ['gen>x', '400 unable to parse requirement: "x" is not an integer, as > needs'],
    ['app=a b', '400 unable to parse requirement: expected "," between requirements, found "b"'],
    ['app foo', '400 unable to parse requirement: unknown operator "foo" after "app"'],
    ['Bad_Prefix/x=1', '400 unable to parse requirement: invalid label key "Bad_Prefix/x": must be a qualified name ([prefix/]name)'],
    ['app=-x', `400 unable to parse requirement: invalid label value "-x": must be 63 characters or less, alphanumeric, '-', '_' or '.', starting and ending with an alphanumeric`],
    ['a'.repeat(64), `400 unable to parse requirement: invalid label key "${'a'.repeat(64)}": must be a qualified name ([prefix/]name)`],
  ])('%j is refused naming the problem', (s, want) => {
    if (want === undefined) expect(() => parseLabelSelector(s)).not.toThrow();
    else expect(message(() => parseLabelSelector(s))).toBe(want);
  });

  it('refuses a selector over 16384 characters', () => {
    expect(message(() => parseLabelSelector('a,'.repeat(9000)))).toBe('400 labelSelector is longer than 16384 characters');
  });
});

describe('field selectors: metadata.name and metadata.namespace', () => {
  const obj = { metadata: { name: 'inf', namespace: 'ns' } };

  it.each([
    ['metadata.name=inf', true],
    ['metadata.name==inf', true],
    ['metadata.name!=inf', false],
    ['metadata.namespace=ns,metadata.name=inf', true],
    ['metadata.namespace=other', false],
    ['', true],
  ])('%j matches: %s', (s, want) => {
    expect(parseFieldSelector(s).matches(obj)).toBe(want);
  });

  it('unescapes \\, \\= \\! and \\\\ in values', () => {
    expect(parseFieldSelector('metadata.name=a\\,b\\=c').matches({ metadata: { name: 'a,b=c' } })).toBe(true);
    expect(parseFieldSelector('metadata.name=a\\,b').exactName()).toBe('a,b');
  });

  it.each([
    ['metadata.name', '400 invalid field selector: "metadata.name" has no operator (=, == or !=)'],
    ['status.phase=Running', '400 field label not supported: "status.phase" is not a known field selector: only "metadata.name", "metadata.namespace"'],
    ['metadata.name=a\\b', '400 invalid field selector: invalid escape sequence in "a\\\\b"'],
  ])('%j is refused naming the problem', (s, want) => {
    expect(message(() => parseFieldSelector(s))).toBe(want);
  });
});
