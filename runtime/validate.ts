/**
 * Argument checks at the public boundary. Each throws a TypeError that names the argument,
 * shows what was given and says what is expected.
 * @internal
 */
import { formatValue } from './errors.ts'

/** A timeout in milliseconds, or `'infinity'`. */
export type Timeout = number | 'infinity'

function got(value: unknown): string {
  return `got \`${formatValue(value)}\` (${value === null ? 'null' : typeof value})`
}

export function assertTimeout(value: unknown, argument = 'timeout'): asserts value is Timeout {
  if (value === 'infinity') return
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return
  throw new TypeError(
    `Expected \`${argument}\` to be a non-negative integer or 'infinity', ${got(value)}`,
  )
}

export function assertFunction(
  value: unknown,
  argument: string,
): asserts value is (...args: any[]) => unknown {
  if (typeof value === 'function') return
  throw new TypeError(`Expected \`${argument}\` to be a function, ${got(value)}`)
}

export function assertOptionalFunction(value: unknown, argument: string): void {
  if (value !== undefined) assertFunction(value, argument)
}

export function assertNonNegativeInteger(
  value: unknown,
  argument: string,
): asserts value is number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return
  throw new TypeError(`Expected \`${argument}\` to be a non-negative integer, ${got(value)}`)
}

export function assertObject(value: unknown, argument: string): asserts value is object {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return
  throw new TypeError(`Expected \`${argument}\` to be an object, ${got(value)}`)
}

export function assertOneOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
  argument: string,
): asserts value is T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return
  throw new TypeError(
    `Expected \`${argument}\` to be one of ${allowed.map((a) => `'${a}'`).join(', ')}, ${got(value)}`,
  )
}

/** Rejects option keys the function does not know, which are usually typos. */
export function assertKnownKeys(
  options: object,
  known: readonly string[],
  argument = 'options',
): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new TypeError(
        `Unknown option \`${key}\` in \`${argument}\`; expected one of ${known.map((k) => `\`${k}\``).join(', ')}`,
      )
    }
  }
}

/** Describes a value for messages: exported for the behaviours' own checks. */
export { got as describeGot }
