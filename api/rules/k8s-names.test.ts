import { describe, expect, it } from 'vitest';

import { fieldPath, formatFieldError } from '../field-errors.js';
import {
  isDNS1123Label,
  isDNS1123Subdomain,
  isEnvVarName,
  isQualifiedName,
  isValidLabelValue,
  nameIsDNSSubdomain,
  validateAnnotations,
  validateLabels,
  validateObjectMeta,
} from './k8s-names.js';
import { formatGoDuration, parseGoDuration, semanticEqual } from './untyped.js';

const LABEL_REGEX_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

describe('DNS-1123 names', () => {
  it('labels', () => {
    expect(isDNS1123Label('my-name')).toEqual([]);
    expect(isDNS1123Label('a.b')).toEqual(['must not contain dots']);
    expect(isDNS1123Label('-a')).toEqual([LABEL_REGEX_MSG]);
    expect(isDNS1123Label('a'.repeat(64))).toEqual(['must be no more than 63 characters']);
  });

  it('subdomains', () => {
    expect(isDNS1123Subdomain('example.com')).toEqual([]);
    expect(isDNS1123Subdomain('a'.repeat(254))).toEqual(['must be no more than 253 characters']);
    expect(isDNS1123Subdomain('Example')).toHaveLength(1);
    // generateName may end with a dash.
    expect(nameIsDNSSubdomain('demo-', true)).toEqual([]);
    expect(nameIsDNSSubdomain('demo-', false)).toHaveLength(1);
  });
});

describe('qualified names and label values', () => {
  it('qualified names', () => {
    expect(isQualifiedName('example.com/MyName')).toEqual([]);
    expect(isQualifiedName('/x')).toEqual(['prefix part must be non-empty']);
    expect(isQualifiedName('x/')).toEqual([
      'name part must be non-empty',
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    ]);
    expect(isQualifiedName(`${'a'.repeat(64)}`)).toEqual(['name part must be no more than 63 characters']);
  });

  it('label values', () => {
    expect(isValidLabelValue('')).toEqual([]);
    expect(isValidLabelValue('my_value.1')).toEqual([]);
    expect(isValidLabelValue('a'.repeat(64))).toEqual(['must be no more than 63 characters']);
  });

  it('validateLabels reports keys and values at the map path; validateAnnotations lower-cases keys and bounds size', () => {
    const path = fieldPath('metadata', 'labels');
    expect(validateLabels({ ok: 'yes', 'bad/key/x': 'v', k: '-bad' }, path).map(formatFieldError)).toHaveLength(2);
    expect(validateAnnotations({ 'Example.COM/Key': 'v' }, fieldPath('metadata', 'annotations'))).toEqual([]);
    expect(validateAnnotations({ big: 'x'.repeat(256 * 1024) }, fieldPath('metadata', 'annotations')).map(formatFieldError)).toEqual([
      'metadata.annotations: Too long: may not be more than 262144 bytes',
    ]);
  });
});

describe('environment variable names', () => {
  it('uses the strict upstream rule', () => {
    expect(isEnvVarName('MY_ENV.NAME')).toEqual([]);
    expect(isEnvVarName('.')).toEqual(["must not be '.'"]);
    expect(isEnvVarName('..')).toEqual(["must not be '..'"]);
    expect(isEnvVarName('A=B')).toHaveLength(1);
  });
});

describe('validateObjectMeta', () => {
  it('checks name, namespace, generation, labels, annotations and finalizers', () => {
    const errs = validateObjectMeta(
      { name: 'x', namespace: 'ns', generation: -1, finalizers: ['orphan', 'foregroundDeletion', 'bad/fin/x'] },
      true,
      nameIsDNSSubdomain,
      fieldPath('metadata'),
    ).map(formatFieldError);
    expect(errs).toEqual([
      'metadata.generation: Invalid value: -1: must be greater than or equal to 0',
      "metadata.finalizers: Invalid value: \"bad/fin/x\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
      'metadata.finalizers: Invalid value: ["orphan","foregroundDeletion","bad/fin/x"]: finalizer orphan and foregroundDeletion cannot be both set',
    ]);
    expect(validateObjectMeta({ name: 'x', namespace: 'ns' }, false, nameIsDNSSubdomain, fieldPath('metadata')).map(formatFieldError)).toEqual([
      'metadata.namespace: Forbidden: not allowed on this type',
    ]);
  });
});

describe('Go durations and semantic equality', () => {
  it('parses and formats like time.Duration', () => {
    const cases: [string, string][] = [
      ['4h', '4h0m0s'],
      ['1m', '1m0s'],
      ['90s', '1m30s'],
      ['-90s', '-1m30s'],
      ['1.5s', '1.5s'],
      ['250ms', '250ms'],
      ['1h2m3.004s', '1h2m3.004s'],
      ['0', '0s'],
      ['0s', '0s'],
      ['1500us', '1.5ms'],
      ['12ns', '12ns'],
    ];
    for (const [input, expected] of cases) expect(formatGoDuration(parseGoDuration(input) as bigint)).toBe(expected);
    for (const bad of ['', '4', 'h', '1x', '1.5']) expect(parseGoDuration(bad)).toBeUndefined();
  });

  it('treats nil and empty lists/maps and absent zero values as equal', () => {
    expect(semanticEqual(undefined, [])).toBe(true);
    expect(semanticEqual({ a: [], b: '' }, {})).toBe(true);
    expect(semanticEqual({ a: 0 }, {})).toBe(false);
    expect(semanticEqual(['a', 'b'], ['b', 'a'])).toBe(false);
    expect(semanticEqual([{ name: 'x', scope: 'AllReplicas' }], [{ scope: 'AllReplicas', name: 'x' }])).toBe(true);
  });
});
