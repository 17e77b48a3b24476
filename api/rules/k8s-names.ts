// Pure re-implementations of the upstream name/label/annotation/env-var checks that Grove's webhook
// calls (k8s.io/apimachinery pkg/util/validation, pkg/api/validation, pkg/apis/meta/v1/validation,
// as vendored by Grove: apimachinery v0.34). The returned message texts are the upstream ones,
// because users and tests compare them verbatim.

import { type FieldError, type FieldPath, forbidden, invalid, required, tooLong } from '../field-errors.js';
import { asArray, asInt, asObject, asString, byteLength, isNil, stringMapEntries } from './untyped.js';

// ---------------------------------------------------------------------------------------------
// Message builders (validation.go)

/** `must be no more than N characters` */
export function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

/** `<msg> (e.g. 'a' or 'b', regex used for validation is '<fmt>')` */
export function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${fmt}')`;
}

export function emptyError(): string {
  return 'must be non-empty';
}

// ---------------------------------------------------------------------------------------------
// DNS-1123

const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_LABEL_ERR =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
export const DNS1123_LABEL_MAX_LENGTH = 63;
const DNS1123_LABEL_RE = new RegExp(`^${DNS1123_LABEL_FMT}$`);

const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN_ERR =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
/** The whole-string pattern of an RFC 1123 subdomain, as a CRD schema `pattern`. */
export const DNS1123_SUBDOMAIN_PATTERN = `^${DNS1123_SUBDOMAIN_FMT}$`;
const DNS1123_SUBDOMAIN_RE = new RegExp(DNS1123_SUBDOMAIN_PATTERN);

/** `validation.IsDNS1123Label`: the problems with `value` as an RFC 1123 label ([] if valid). */
export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1123_LABEL_MAX_LENGTH) errs.push(maxLenError(DNS1123_LABEL_MAX_LENGTH));
  if (!DNS1123_LABEL_RE.test(value)) {
    if (DNS1123_SUBDOMAIN_RE.test(value)) errs.push('must not contain dots');
    else errs.push(regexError(DNS1123_LABEL_ERR, DNS1123_LABEL_FMT, 'my-name', '123-abc'));
  }
  return errs;
}

/** `validation.IsDNS1123Subdomain`: the problems with `value` as an RFC 1123 subdomain ([] if valid). */
export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!DNS1123_SUBDOMAIN_RE.test(value)) errs.push(regexError(DNS1123_SUBDOMAIN_ERR, DNS1123_SUBDOMAIN_FMT, 'example.com'));
  return errs;
}

/** A `ValidateNameFunc`: `prefix` is true for `generateName`, whose trailing dash is ignored. */
export type NameValidator = (name: string, prefix: boolean) => string[];

function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name;
}

/** `apivalidation.NameIsDNSSubdomain` */
export const nameIsDNSSubdomain: NameValidator = (name, prefix) =>
  isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name);

/** `apivalidation.NameIsDNSLabel` (namespace names). */
export const nameIsDNSLabel: NameValidator = (name, prefix) => isDNS1123Label(prefix ? maskTrailingDash(name) : name);

// ---------------------------------------------------------------------------------------------
// Qualified names (label and annotation keys) and label values

const QNAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const QNAME_ERR = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const QNAME_MAX_LENGTH = 63;
const QNAME_RE = new RegExp(`^${QNAME_FMT}$`);

/** `validation.IsQualifiedName`: label keys, annotation keys (lower-cased) and finalizer names. */
export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0] ?? '';
  } else if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    name = parts[1] ?? '';
    if (prefix.length === 0) errs.push(`prefix part ${emptyError()}`);
    else for (const m of isDNS1123Subdomain(prefix)) errs.push(`prefix part ${m}`);
  } else {
    return [
      `a qualified name ${regexError(QNAME_ERR, QNAME_FMT, 'MyName', 'my.name', '123-abc')}` +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) errs.push(`name part ${emptyError()}`);
  else if (byteLength(name) > QNAME_MAX_LENGTH) errs.push(`name part ${maxLenError(QNAME_MAX_LENGTH)}`);
  if (!QNAME_RE.test(name)) errs.push(`name part ${regexError(QNAME_ERR, QNAME_FMT, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

const LABEL_VALUE_FMT = `(${QNAME_FMT})?`;
const LABEL_VALUE_ERR =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
export const LABEL_VALUE_MAX_LENGTH = 63;
const LABEL_VALUE_RE = new RegExp(`^${LABEL_VALUE_FMT}$`);

/** `validation.IsValidLabelValue` */
export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > LABEL_VALUE_MAX_LENGTH) errs.push(maxLenError(LABEL_VALUE_MAX_LENGTH));
  if (!LABEL_VALUE_RE.test(value)) errs.push(regexError(LABEL_VALUE_ERR, LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  return errs;
}

// ---------------------------------------------------------------------------------------------
// Environment variable names

const ENV_VAR_NAME_FMT = '[-._a-zA-Z][-._a-zA-Z0-9]*';
const ENV_VAR_NAME_ERR =
  "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit";
const ENV_VAR_NAME_RE = new RegExp(`^${ENV_VAR_NAME_FMT}$`);

function hasChDirPrefix(value: string): string[] {
  if (value === '.') return ["must not be '.'"];
  if (value === '..') return ["must not be '..'"];
  if (value.startsWith('..')) return ["must not start with '..'"];
  return [];
}

/** `validation.IsEnvVarName` (the strict form Grove uses). */
export function isEnvVarName(value: string): string[] {
  const errs: string[] = [];
  if (!ENV_VAR_NAME_RE.test(value)) {
    errs.push(regexError(ENV_VAR_NAME_ERR, ENV_VAR_NAME_FMT, 'my.env-name', 'MY_ENV.NAME', 'MyEnvName1'));
  }
  errs.push(...hasChDirPrefix(value));
  return errs;
}

// ---------------------------------------------------------------------------------------------
// Field-error producing validators (metav1validation / apivalidation)

/** `apimachinery api/validation.TotalAnnotationSizeLimitB` (256 KiB). */
export const TOTAL_ANNOTATION_SIZE_LIMIT_B = 256 * 1024;

/** `metav1validation.ValidateLabels`: every key a qualified name, every value a label value. */
export function validateLabels(labels: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of stringMapEntries(labels)) {
    for (const m of isQualifiedName(k)) errs.push(invalid(path, k, m));
    for (const m of isValidLabelValue(v)) errs.push(invalid(path, v, m));
  }
  return errs;
}

/** `apivalidation.ValidateAnnotations`: keys are case-insensitive qualified names; total size ≤ 256 KiB. */
export function validateAnnotations(annotations: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of stringMapEntries(annotations)) {
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(invalid(path, k, m));
    size += byteLength(k) + byteLength(v);
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT_B) errs.push(tooLong(path, '', TOTAL_ANNOTATION_SIZE_LIMIT_B));
  return errs;
}

/** `apivalidation.ValidateNonnegativeField` */
export function validateNonnegative(value: number, path: FieldPath): FieldError[] {
  return value < 0 ? [invalid(path, value, 'must be greater than or equal to 0')] : [];
}

const FINALIZER_ORPHAN = 'orphan';
const FINALIZER_FOREGROUND = 'foregroundDeletion';

/** `apivalidation.ValidateFinalizers` (name format and the orphan/foreground exclusion). */
export function validateFinalizers(finalizers: unknown, path: FieldPath): FieldError[] {
  const list = asArray(finalizers);
  if (!list) return [];
  const errs: FieldError[] = [];
  for (const f of list) {
    const name = asString(f);
    if (name === undefined) continue;
    for (const m of isQualifiedName(name)) errs.push(invalid(path, name, m));
  }
  if (list.includes(FINALIZER_ORPHAN) && list.includes(FINALIZER_FOREGROUND)) {
    errs.push(invalid(path, list, `finalizer ${FINALIZER_ORPHAN} and ${FINALIZER_FOREGROUND} cannot be both set`));
  }
  return errs;
}

/**
 * `apivalidation.ValidateObjectMeta` for a create/update of a namespaced or cluster-scoped object:
 * generateName, name, namespace, generation, labels, annotations and finalizers. Owner references
 * and managed fields are maintained by the apiserver and not re-checked here.
 */
export function validateObjectMeta(
  metadata: unknown,
  requiresNamespace: boolean,
  nameFn: NameValidator,
  path: FieldPath,
): FieldError[] {
  const meta = asObject(metadata) ?? {};
  const errs: FieldError[] = [];

  const generateName = asString(meta.generateName);
  if (generateName) {
    for (const m of nameFn(generateName, true)) errs.push(invalid(path.child('generateName'), generateName, m));
  }
  const name = asString(meta.name);
  if (isNil(meta.name) || name === '') {
    errs.push(required(path.child('name'), 'name or generateName is required'));
  } else if (name !== undefined) {
    for (const m of nameFn(name, false)) errs.push(invalid(path.child('name'), name, m));
  }

  const namespace = asString(meta.namespace);
  if (requiresNamespace) {
    if (isNil(meta.namespace) || namespace === '') errs.push(required(path.child('namespace')));
    else if (namespace !== undefined) {
      for (const m of nameIsDNSLabel(namespace, false)) errs.push(invalid(path.child('namespace'), namespace, m));
    }
  } else if (namespace) {
    errs.push(forbidden(path.child('namespace'), 'not allowed on this type'));
  }

  const generation = asInt(meta.generation);
  if (generation !== undefined) errs.push(...validateNonnegative(generation, path.child('generation')));
  errs.push(...validateLabels(meta.labels, path.child('labels')));
  errs.push(...validateAnnotations(meta.annotations, path.child('annotations')));
  errs.push(...validateFinalizers(meta.finalizers, path.child('finalizers')));
  return errs;
}
