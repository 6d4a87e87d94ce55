/**
 * Copying a message that crosses nodes. On the BEAM every message is copied; inside one node
 * this runtime passes references (fast, and safe as long as you treat messages as immutable),
 * but a message to another node is copied here, at the send, with structured-clone rules.
 * Pids and refs travel as themselves (they are immutable values), and anything that cannot
 * cross a node, a function above all, is an error at the send, not a surprise on arrival.
 *
 * @example
 * copyMessage({ from: pid, items: [1, 2] })   // a deep copy; `from` is the same pid
 * copyMessage({ reply: () => 1 })             // TypeError: ... `reply` is a function
 */
import { Pid, Ref } from './pid.ts'

/**
 * A deep copy of `value` as another node would receive it; throws a TypeError naming the part
 * that cannot cross (a function, a symbol). (no Elixir counterpart: the BEAM copies every
 * message itself, as `:erlang.term_to_binary/1` and back)
 * @example copyMessage({ from: pid, items: [1, 2] }) // a deep copy; the same pid
 */
export function copyMessage<T>(value: T): T {
  return copy(value, 'message', new Map()) as T
}

function copy(value: unknown, path: string, seen: Map<object, unknown>): unknown {
  if (typeof value === 'function') throw cannotCross(path, 'a function')
  if (typeof value === 'symbol') throw cannotCross(path, 'a symbol')
  if (typeof value !== 'object' || value === null) return value
  if (value instanceof Pid || value instanceof Ref) return value
  const done = seen.get(value)
  if (done !== undefined) return done
  if (Array.isArray(value)) {
    const out: unknown[] = []
    seen.set(value, out)
    for (let i = 0; i < value.length; i++) out.push(copy(value[i], `${path}[${i}]`, seen))
    return out
  }
  if (value instanceof Map) {
    const out = new Map()
    seen.set(value, out)
    for (const [k, v] of value)
      out.set(copy(k, `${path} key`, seen), copy(v, `${path}.get(…)`, seen))
    return out
  }
  if (value instanceof Set) {
    const out = new Set()
    seen.set(value, out)
    for (const v of value) out.add(copy(v, `${path} item`, seen))
    return out
  }
  const proto = Object.getPrototypeOf(value)
  if (proto === Object.prototype || proto === null) {
    const out: Record<string, unknown> = {}
    seen.set(value, out)
    for (const key of Object.keys(value))
      out[key] = copy((value as Record<string, unknown>)[key], `${path}.${key}`, seen)
    return out
  }
  // Dates, errors, typed arrays, class instances: the platform's structured clone decides.
  try {
    const out = structuredClone(value)
    seen.set(value, out)
    return out
  } catch (error) {
    throw cannotCross(path, `a value structured clone refuses (${(error as Error).message})`)
  }
}

function cannotCross(path: string, what: string): TypeError {
  return new TypeError(
    `Cannot send \`${path}\` to another node: it is ${what}. Messages between nodes are copied, so they may hold data, pids and refs, but not functions`,
  )
}
