// Kubernetes-style field errors (k8s.io/apimachinery/pkg/util/validation/field), shared by the
// structural validators in api/validators.ts and the admission logic in webhooks/.
//
// Messages follow apimachinery's `field.Error.Error()` text exactly because clients and e2e tests
// match on it:  `spec.x: Invalid value: 5: detail`, `spec.y: Required value: detail`,
// `spec.z: Unsupported value: "v": supported values: "a", "b"`; several errors aggregate as `[e1, e2]`.

/** The kind of a field error; mirrors apimachinery's `field.ErrorType`. */
export type FieldErrorType =
  | 'NotFound'
  | 'Required'
  | 'Duplicate'
  | 'Invalid'
  | 'Unsupported'
  | 'Forbidden'
  | 'TooLong'
  | 'TooMany'
  | 'Internal'
  | 'TypeInvalid';

/** One validation failure at a Kubernetes field path such as `spec.template.cliques[1].spec.replicas`. */
export interface FieldError {
  type: FieldErrorType;
  /** Field path: dotted names, `[i]` for list indices, `[key]` for map keys. */
  field: string;
  /** The offending value; `undefined` for types that print no value (Required, Forbidden, ...). */
  value?: unknown;
  /** Human-readable detail appended after the value. */
  detail: string;
}

/** `metav1.CauseType` / Status `details.causes[].reason` for each error type. */
export const FIELD_ERROR_REASON: Readonly<Record<FieldErrorType, string>> = {
  NotFound: 'FieldValueNotFound',
  Required: 'FieldValueRequired',
  Duplicate: 'FieldValueDuplicate',
  Invalid: 'FieldValueInvalid',
  Unsupported: 'FieldValueNotSupported',
  Forbidden: 'FieldValueForbidden',
  TooLong: 'FieldValueTooLong',
  TooMany: 'FieldValueTooMany',
  Internal: 'InternalError',
  TypeInvalid: 'FieldValueTypeInvalid',
};

/** Reverse of FIELD_ERROR_REASON (used to map CEL `reason:` values onto error types). */
export function fieldErrorTypeFromReason(reason: string | undefined): FieldErrorType {
  for (const [t, r] of Object.entries(FIELD_ERROR_REASON) as [FieldErrorType, string][]) {
    if (r === reason) return t;
  }
  return 'Invalid';
}

const TYPE_TEXT: Readonly<Record<FieldErrorType, string>> = {
  NotFound: 'Not found',
  Required: 'Required value',
  Duplicate: 'Duplicate value',
  Invalid: 'Invalid value',
  Unsupported: 'Unsupported value',
  Forbidden: 'Forbidden',
  TooLong: 'Too long',
  TooMany: 'Too many',
  Internal: 'Internal error',
  TypeInvalid: 'Invalid value',
};

/** Error types whose text never includes the bad value (apimachinery's ErrorBody). */
const VALUELESS: ReadonlySet<FieldErrorType> = new Set<FieldErrorType>(['Required', 'Forbidden', 'TooLong', 'Internal']);

/**
 * Render a bad value as apimachinery v0.34's ErrorBody does: numbers and booleans bare, strings
 * quoted, anything else (lists, maps) as compact JSON, e.g. `["a","b"]`. Releases before 1.34
 * printed lists with Go's %#v (`[]string{"a", "b"}`); Grove builds on 0.34, so JSON it is.
 */
export function formatFieldValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

/** The message without the field path (`metav1.StatusCause.message`). */
export function fieldErrorBody(e: FieldError): string {
  let s = TYPE_TEXT[e.type];
  if (!VALUELESS.has(e.type) && e.value !== OMIT_VALUE) s += `: ${formatFieldValue(e.value)}`;
  if (e.detail) s += `: ${e.detail}`;
  return s;
}

/** `<field>: <body>`, e.g. `spec.replicas: Invalid value: -1: must be greater than or equal to 0`. */
export function formatFieldError(e: FieldError): string {
  return e.field ? `${e.field}: ${fieldErrorBody(e)}` : fieldErrorBody(e);
}

/**
 * Aggregate like apimachinery's `utilerrors.NewAggregate(...).Error()`: duplicates (by text) are
 * collapsed, one message is returned bare, several as `[e1, e2, ...]`. Returns '' for no errors.
 */
export function formatFieldErrors(errs: readonly FieldError[]): string {
  const seen = new Set<string>();
  const msgs: string[] = [];
  for (const e of errs) {
    const m = formatFieldError(e);
    if (!seen.has(m)) {
      seen.add(m);
      msgs.push(m);
    }
  }
  if (msgs.length === 0) return '';
  if (msgs.length === 1) return msgs[0] as string;
  return `[${msgs.join(', ')}]`;
}

/** One entry of a Status' `details.causes`. */
export interface StatusCause {
  reason: string;
  message: string;
  field: string;
}

export function toStatusCauses(errs: readonly FieldError[]): StatusCause[] {
  return errs.map((e) => ({ reason: FIELD_ERROR_REASON[e.type], message: fieldErrorBody(e), field: e.field }));
}

/**
 * The `Status` the apiserver returns for an invalid object (`apierrors.NewInvalid`):
 * message `<Kind>.<group> "<name>" is invalid: <aggregate>`.
 */
export function invalidStatus(
  gk: { group: string; kind: string },
  name: string,
  errs: readonly FieldError[],
): {
  apiVersion: 'v1';
  kind: 'Status';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: 'Invalid';
  details: { name: string; group: string; kind: string; causes: StatusCause[] };
  code: 422;
} {
  const qualified = gk.group ? `${gk.kind}.${gk.group}` : gk.kind;
  return {
    apiVersion: 'v1',
    kind: 'Status',
    metadata: {},
    status: 'Failure',
    message: `${qualified} ${JSON.stringify(name)} is invalid: ${formatFieldErrors(errs)}`,
    reason: 'Invalid',
    details: { name, group: gk.group, kind: gk.kind, causes: toStatusCauses(errs) },
    code: 422,
  };
}

// ---------------------------------------------------------------------------------------------
// Paths (field.NewPath equivalent)

/** An immutable field path builder: `fieldPath('spec').child('template', 'cliques').index(1)`. */
export class FieldPath {
  private constructor(private readonly text: string) {}

  static root(...names: string[]): FieldPath {
    return new FieldPath(names.join('.'));
  }

  child(...names: string[]): FieldPath {
    const suffix = names.join('.');
    if (!suffix) return this;
    return new FieldPath(this.text ? `${this.text}.${suffix}` : suffix);
  }

  index(i: number): FieldPath {
    return new FieldPath(`${this.text}[${i}]`);
  }

  key(k: string): FieldPath {
    return new FieldPath(`${this.text}[${k}]`);
  }

  toString(): string {
    return this.text;
  }
}

export function fieldPath(...names: string[]): FieldPath {
  return FieldPath.root(...names);
}

type PathLike = FieldPath | string;
const p = (path: PathLike): string => (typeof path === 'string' ? path : path.toString());

/** Sentinel: an Invalid/NotFound/... error that prints no value (apimachinery's `field.OmitValueType`). */
export const OMIT_VALUE: unique symbol = Symbol('omit-value');

// ---------------------------------------------------------------------------------------------
// Constructors (field.Invalid, field.Required, ...)

export function invalid(path: PathLike, value: unknown, detail: string): FieldError {
  return { type: 'Invalid', field: p(path), value, detail };
}

export function required(path: PathLike, detail = ''): FieldError {
  return { type: 'Required', field: p(path), detail };
}

export function forbidden(path: PathLike, detail: string): FieldError {
  return { type: 'Forbidden', field: p(path), detail };
}

export function duplicate(path: PathLike, value: unknown): FieldError {
  return { type: 'Duplicate', field: p(path), value, detail: '' };
}

export function notFound(path: PathLike, value: unknown): FieldError {
  return { type: 'NotFound', field: p(path), value, detail: '' };
}

/** `Unsupported value: "v": supported values: "a", "b"` */
export function notSupported(path: PathLike, value: unknown, validValues: readonly string[]): FieldError {
  const detail = validValues.length ? `supported values: ${validValues.map((v) => JSON.stringify(v)).join(', ')}` : '';
  return { type: 'Unsupported', field: p(path), value, detail };
}

/** `Too long: may not be more than N bytes` (value is not printed, as in apimachinery). */
export function tooLong(path: PathLike, value: unknown, maxLength: number): FieldError {
  return { type: 'TooLong', field: p(path), value, detail: `may not be more than ${maxLength} bytes` };
}

/** `Too many: N: must have at most M items` */
export function tooMany(path: PathLike, actual: number, max: number): FieldError {
  return { type: 'TooMany', field: p(path), value: actual, detail: `must have at most ${max} items` };
}

export function internalError(path: PathLike, err: Error | string): FieldError {
  return { type: 'Internal', field: p(path), detail: typeof err === 'string' ? err : err.message };
}

export function typeInvalid(path: PathLike, value: unknown, detail: string): FieldError {
  return { type: 'TypeInvalid', field: p(path), value, detail };
}
