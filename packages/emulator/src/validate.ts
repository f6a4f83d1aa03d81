// Input checks for the control API: anything off is a 400 `{"error": "…"}` that says what was wrong.
import { HttpError } from './errors.js';

export function bad(error: string): never {
  throw new HttpError(400, { error });
}

export function object(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    bad(`${what} must be a JSON object`);
  return value as Record<string, unknown>;
}

function field(input: unknown, key: string): unknown {
  return object(input, 'body')[key];
}

export function requiredString(input: unknown, key: string, min: number, max: number): string {
  const value = field(input, key);
  if (typeof value !== 'string') bad(`${key} must be a string`);
  const length = [...value].length;
  if (length < min || length > max) bad(`${key} must be ${min}–${max} characters`);
  return value;
}

export function optionalString(input: unknown, key: string, min: number, max: number): string | undefined {
  return field(input, key) === undefined ? undefined : requiredString(input, key, min, max);
}

export function requiredInt(input: unknown, key: string): number {
  const value = field(input, key);
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) bad(`${key} must be an integer`);
  return value;
}

export function optionalInt(input: unknown, key: string): number | null {
  return field(input, key) === undefined || field(input, key) === null ? null : requiredInt(input, key);
}

export function requiredNumber(input: unknown, key: string): number {
  const value = field(input, key);
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) bad(`${key} must be a number ≥ 0`);
  return value;
}

export function optionalBool(input: unknown, key: string): boolean | undefined {
  const value = field(input, key);
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') bad(`${key} must be a boolean`);
  return value;
}

export function optionalIntArray(input: unknown, key: string): number[] | undefined {
  const value = field(input, key);
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((n) => Number.isSafeInteger(n)))
    bad(`${key} must be an array of integers`);
  return value as number[];
}

export function scopes(input: unknown, key: string): string[] | undefined {
  const value = field(input, key);
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((s) => typeof s === 'string' && s !== '')) {
    bad(`${key} must be an array of scope names`);
  }
  if (value.includes('*') && value.length > 1) bad(`${key}: "*" cannot be mixed with other scopes`);
  return value as string[];
}

export function oneOf<T extends string>(input: unknown, key: string, values: readonly T[]): T {
  const value = field(input, key);
  if (typeof value !== 'string' || !values.includes(value as T))
    bad(`${key} must be one of ${values.join(', ')}`);
  return value as T;
}

export function optionalOneOf<T extends string>(
  input: unknown,
  key: string,
  values: readonly T[],
): T | undefined {
  return field(input, key) === undefined ? undefined : oneOf(input, key, values);
}

/** An ISO 8601 time → epoch ms. */
export function optionalTime(input: unknown, key: string): number | undefined {
  const value = field(input, key);
  if (value === undefined) return undefined;
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) bad(`${key} must be an ISO 8601 time`);
  return ms;
}

/** Boolean user flags present in the input. */
export function flags<K extends string>(input: unknown, names: readonly K[]): Partial<Record<K, boolean>> {
  const result: Partial<Record<K, boolean>> = {};
  for (const name of names) {
    const value = optionalBool(input, name);
    if (value !== undefined) result[name] = value;
  }
  return result;
}

/** A numeric path segment. */
export function pathInt(text: string | undefined): number {
  if (text === undefined || !/^\d+$/.test(text)) bad(`${text ?? ''} is not an id`);
  return Number(text);
}
