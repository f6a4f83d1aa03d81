// osu-web's `get_params` casting (§1.6): params come from the query string or the body (JSON or form), are
// cast loosely the way PHP does, and absent ones become null.

/** Request parameters merged from query and body; later sources win, as Laravel's `request()->all()`. */
export type Params = Record<string, unknown>;

/**
 * `(int)` of a non-empty scalar, as PHP 8 casts it: the leading numeric part of a string, exponents and
 * decimals included, truncated (`"12abc"` → 12, `"1e3"` → 1000, `" 2.9"` → 2, `".5"` → 0), `"abc"` → 0,
 * `true` → 1; anything else → null.
 */
export function intParam(value: unknown): number | null {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') {
    if (value === '') return null;
    // PHP's leading whitespace is space, \t, \n, \r, \v and \f (not every Unicode space, as `\s` would be).
    const match = /^[ \t\n\r\v\f]*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(value);
    return match ? toInt(Number(match[0].trimStart())) : 0;
  }
  return typeof value === 'number' ? toInt(value) : null;
}

/** A number truncated toward zero; NaN and the infinities (which PHP cannot cast) → 0. */
function toInt(value: number): number {
  return Number.isFinite(value) ? Math.trunc(value) || 0 : 0;
}

/** `true/false`, `1/0`, `"1"/"0"`, `"true"/"false"`, `"on"`; anything else → null. */
export function boolParam(value: unknown): boolean | null {
  if (value === true || value === 1 || value === '1' || value === 'true' || value === 'on') return true;
  if (value === false || value === 0 || value === '0' || value === 'false') return false;
  return null;
}

/** Untyped params: scalars as strings, the empty string as null. */
export function stringParam(value: unknown): string | null {
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'number' || typeof value === 'boolean')
    return String(value === true ? 1 : value === false ? '' : value) || null;
  return null;
}

/** `int[]`: an array (or PHP-style keyed object) of ints; anything else → null. */
export function intArrayParam(value: unknown): number[] | null {
  const items = Array.isArray(value) ? value : isPlainObject(value) ? Object.values(value) : null;
  if (items === null) return null;
  return items.map(intParam).filter((n): n is number => n !== null);
}

/** `string[]`, for `includes[]`. Non-arrays → null. */
export function stringArrayParam(value: unknown): string[] | null {
  const items = Array.isArray(value) ? value : isPlainObject(value) ? Object.values(value) : null;
  if (items === null) return null;
  return items.map(stringParam).filter((s): s is string => s !== null);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses a query string or form body the way PHP does: `a[]=1&a[]=2` → `{a: ['1','2']}`,
 * `channel[name]=x` → `{channel: {name: 'x'}}`.
 */
export function parseFormEncoded(text: string): Params {
  const result: Params = Object.create(null);
  for (const [rawKey, value] of new URLSearchParams(text)) {
    const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(rawKey);
    if (!match) {
      result[rawKey] = value;
      continue;
    }
    const head = match[1] as string;
    const path = [...(match[2] ?? '').matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1] as string);
    if (path.length > MAX_INPUT_NESTING) {
      // PHP drops a variable nested deeper than `max_input_nesting_level` altogether.
      delete result[head];
      continue;
    }
    assignPath(result, [head, ...path], value);
  }
  return result;
}

/** PHP's `max_input_nesting_level` default. */
const MAX_INPUT_NESTING = 64;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function assignPath(target: Record<string, unknown> | unknown[], path: string[], value: string): void {
  const [key, ...rest] = path;
  if (key === undefined || FORBIDDEN_KEYS.has(key)) return;
  if (Array.isArray(target)) {
    if (rest.length === 0) {
      if (key === '') target.push(value);
      else (target as unknown as Record<string, unknown>)[key] = value;
      return;
    }
    const index = key === '' ? target.length : Number(key);
    target[index] ??= rest[0] === '' ? [] : Object.create(null);
    const child = target[index];
    if (typeof child === 'object' && child !== null)
      assignPath(child as Record<string, unknown>, rest, value);
    return;
  }
  if (rest.length === 0) {
    target[key] = value;
    return;
  }
  const existing = target[key];
  const child =
    typeof existing === 'object' && existing !== null ? existing : rest[0] === '' ? [] : Object.create(null);
  target[key] = child;
  assignPath(child as Record<string, unknown>, rest, value);
}
