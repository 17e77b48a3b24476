// Label and field selectors as kube-apiserver parses and applies them (apimachinery pkg/labels and
// pkg/fields). Pure. A selector that does not parse is a 400 naming the problem, never a crash and
// never "match everything".
import { badRequest } from './status.js';

type Labels = { readonly [key: string]: string } | undefined;

type Op = 'exists' | 'notexists' | '=' | '!=' | 'in' | 'notin' | 'gt' | 'lt';

interface Requirement {
  key: string;
  op: Op;
  values: string[];
}

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function checkKey(key: string): void {
  const slash = key.indexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  const ok = name.length > 0 && name.length <= 63 && NAME.test(name) && (prefix === undefined || (prefix.length > 0 && prefix.length <= 253 && DNS1123_SUBDOMAIN.test(prefix)));
  if (!ok) throw badRequest(`unable to parse requirement: invalid label key ${JSON.stringify(key.slice(0, 300))}: must be a qualified name ([prefix/]name)`);
}

function checkValue(value: string): void {
  if (value.length > 63 || (value !== '' && !NAME.test(value))) {
    throw badRequest(`unable to parse requirement: invalid label value ${JSON.stringify(value.slice(0, 100))}: must be 63 characters or less, alphanumeric, '-', '_' or '.', starting and ending with an alphanumeric`);
  }
}

/** Tokens of a label selector: identifiers, operators, parentheses and commas. */
function tokenize(s: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i] as string;
    if (c === ' ' || c === '\t') {
      i++;
    } else if (c === '(' || c === ')' || c === ',') {
      tokens.push(c);
      i++;
    } else if (s.startsWith('==', i) || s.startsWith('!=', i)) {
      tokens.push(s.slice(i, i + 2));
      i += 2;
    } else if (c === '=' || c === '!' || c === '>' || c === '<') {
      tokens.push(c);
      i++;
    } else {
      let j = i;
      while (j < s.length && !' \t(),=!<>'.includes(s[j] as string)) j++;
      tokens.push(s.slice(i, j));
      i = j;
    }
  }
  return tokens;
}

const OPERATORS = new Set(['(', ')', ',', '==', '!=', '=', '!', '>', '<']);

class Tokens {
  private i = 0;
  constructor(private readonly t: string[]) {}
  peek(): string | undefined {
    return this.t[this.i];
  }
  next(): string | undefined {
    return this.t[this.i++];
  }
  identifier(what: string): string {
    const v = this.next();
    if (v === undefined || OPERATORS.has(v)) throw badRequest(`unable to parse requirement: expected ${what}, found ${v === undefined ? 'end of selector' : JSON.stringify(v)}`);
    return v;
  }
}

function valueSet(t: Tokens): string[] {
  if (t.next() !== '(') throw badRequest('unable to parse requirement: expected "(" after in/notin');
  const values: string[] = [];
  for (;;) {
    const v = t.peek();
    // `in ()` and `in (a,)` allow an empty value, as apimachinery does.
    if (v === ')' || v === ',') values.push('');
    else values.push(t.identifier('a value'));
    const sep = t.next();
    if (sep === ')') break;
    if (sep !== ',') throw badRequest(`unable to parse requirement: expected "," or ")" in a value set, found ${sep === undefined ? 'end of selector' : JSON.stringify(sep)}`);
  }
  return values;
}

function requirement(t: Tokens): Requirement {
  if (t.peek() === '!') {
    t.next();
    const key = t.identifier('a label key');
    checkKey(key);
    return { key, op: 'notexists', values: [] };
  }
  const key = t.identifier('a label key');
  checkKey(key);
  const op = t.peek();
  if (op === undefined || op === ',') return { key, op: 'exists', values: [] };
  t.next();
  let r: Requirement;
  if (op === '=' || op === '==') r = { key, op: '=', values: [t.peek() === ',' || t.peek() === undefined ? '' : t.identifier('a value')] };
  else if (op === '!=') r = { key, op: '!=', values: [t.peek() === ',' || t.peek() === undefined ? '' : t.identifier('a value')] };
  else if (op === 'in' || op === 'notin') r = { key, op, values: valueSet(t) };
  else if (op === '>' || op === '<') {
    const v = t.identifier('an integer');
    if (!/^-?\d+$/.test(v)) throw badRequest(`unable to parse requirement: ${JSON.stringify(v)} is not an integer, as ${op} needs`);
    r = { key, op: op === '>' ? 'gt' : 'lt', values: [v] };
  } else throw badRequest(`unable to parse requirement: unknown operator ${JSON.stringify(op)} after ${JSON.stringify(key)}`);
  if (r.op !== 'gt' && r.op !== 'lt') for (const v of r.values) checkValue(v);
  return r;
}

export class LabelSelector {
  constructor(private readonly requirements: readonly Requirement[]) {}

  get empty(): boolean {
    return this.requirements.length === 0;
  }

  matches(labels: Labels): boolean {
    return this.requirements.every((r) => {
      const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
      const v = has ? (labels as { [k: string]: string })[r.key] : undefined;
      switch (r.op) {
        case 'exists':
          return has;
        case 'notexists':
          return !has;
        case '=':
        case 'in':
          return has && r.values.includes(v as string);
        case '!=':
        case 'notin':
          return !has || !r.values.includes(v as string);
        case 'gt':
        case 'lt': {
          if (!has || !/^-?\d+$/.test(v as string)) return false;
          const n = Number(v);
          const bound = Number(r.values[0]);
          return r.op === 'gt' ? n > bound : n < bound;
        }
      }
      return false;
    });
  }
}

/** Parse `labelSelector`; "" selects everything. */
export function parseLabelSelector(s: string): LabelSelector {
  if (s.length > 16_384) throw badRequest('labelSelector is longer than 16384 characters');
  const tokens = tokenize(s);
  if (tokens.length === 0) return new LabelSelector([]);
  const t = new Tokens(tokens);
  const reqs: Requirement[] = [];
  for (;;) {
    reqs.push(requirement(t));
    const sep = t.next();
    if (sep === undefined) break;
    if (sep !== ',') throw badRequest(`unable to parse requirement: expected "," between requirements, found ${JSON.stringify(sep)}`);
  }
  return new LabelSelector(reqs);
}

// ------------------------------------------------------------------------------------------------
// Field selectors

/** Fields every resource of this server can be selected by (as for custom resources). */
export const SELECTABLE_FIELDS = ['metadata.name', 'metadata.namespace'] as const;
type Field = (typeof SELECTABLE_FIELDS)[number];

interface FieldTerm {
  field: Field;
  op: '=' | '!=';
  value: string;
}

export interface FieldSubject {
  metadata: { name: string; namespace?: string };
}

export class FieldSelector {
  constructor(private readonly terms: readonly FieldTerm[]) {}

  get empty(): boolean {
    return this.terms.length === 0;
  }

  matches(obj: FieldSubject): boolean {
    return this.terms.every((t) => {
      const v = t.field === 'metadata.name' ? obj.metadata.name : (obj.metadata.namespace ?? '');
      return t.op === '=' ? v === t.value : v !== t.value;
    });
  }

  /** The one name `metadata.name=X` pins the request to, if any (kubectl get NAME -w sends it). */
  exactName(): string | undefined {
    return this.terms.find((t) => t.field === 'metadata.name' && t.op === '=')?.value;
  }
}

/** Split on unescaped separators; `\,` `\=` `\!` `\\` escape (apimachinery fields.ParseSelector). */
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '\\' && i + 1 < s.length) {
      cur += c + (s[i + 1] as string);
      i++;
    } else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function unescape(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '\\') {
      const n = s[i + 1];
      if (n === undefined || !'\\,=!'.includes(n)) throw badRequest(`invalid field selector: invalid escape sequence in ${JSON.stringify(s.slice(0, 100))}`);
      out += n;
      i++;
    } else out += c;
  }
  return out;
}

/** Index of the first unescaped occurrence of `op` in `s`, or -1. */
function findOp(s: string, op: string): number {
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') {
      i++;
      continue;
    }
    if (s.startsWith(op, i)) return i;
  }
  return -1;
}

/** Parse `fieldSelector`; "" selects everything. Unknown fields are a 400, as for custom resources. */
export function parseFieldSelector(s: string): FieldSelector {
  if (s.length > 16_384) throw badRequest('fieldSelector is longer than 16384 characters');
  if (s.trim() === '') return new FieldSelector([]);
  const terms = splitTerms(s).map((raw): FieldTerm => {
    let op: '=' | '!=' = '=';
    let at = findOp(raw, '!=');
    let width = 2;
    if (at < 0) {
      at = findOp(raw, '==');
      if (at < 0) {
        at = findOp(raw, '=');
        width = 1;
      }
    } else op = '!=';
    if (at < 0) throw badRequest(`invalid field selector: ${JSON.stringify(raw.slice(0, 100))} has no operator (=, == or !=)`);
    const field = unescape(raw.slice(0, at)).trim();
    const value = unescape(raw.slice(at + width));
    if (!(SELECTABLE_FIELDS as readonly string[]).includes(field)) {
      throw badRequest(`field label not supported: ${JSON.stringify(field.slice(0, 100))} is not a known field selector: only "metadata.name", "metadata.namespace"`);
    }
    return { field: field as Field, op, value };
  });
  return new FieldSelector(terms);
}
