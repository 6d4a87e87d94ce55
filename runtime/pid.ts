/**
 * Process identifiers and references: small values that print the way Erlang prints them.
 *
 * @example
 * String(pid)   // '#PID<0.42.0>'
 * String(ref)   // '#Reference<0.0.0.7>'
 */

const inspect = Symbol.for('nodejs.util.inspect.custom')

/** A process identifier, Erlang's `pid()`. Compare pids with `===` on the same node. */
export class Pid {
  /** The process while it runs: a direct link saves a table lookup on every send. */
  #process: object | undefined = undefined

  /** @internal The live process behind `pid`, if any. */
  static live(pid: Pid): object | undefined {
    return pid.#process
  }

  /** @internal Links `pid` to its process when it starts; unlinks it (undefined) when it exits. */
  static attach(pid: Pid, process: object | undefined): void {
    pid.#process = process
  }

  /** @internal */
  constructor(
    /** The index of the node that owns the process (0 for the default node). */
    readonly node: number,
    /** The process's serial number on its node. */
    readonly id: number,
  ) {}

  toString(): string {
    return `#PID<${this.node}.${this.id}.0>`
  }

  toJSON(): string {
    return this.toString()
  }

  [inspect](): string {
    return this.toString()
  }
}

let refCounter = 0

/** A unique reference, Erlang's `make_ref()`: monitors, timers and calls are named by one. */
export class Ref {
  /** @internal */
  constructor(readonly id: number = ++refCounter) {}

  toString(): string {
    return `#Reference<0.0.0.${this.id}>`
  }

  toJSON(): string {
    return this.toString()
  }

  [inspect](): string {
    return this.toString()
  }
}

/**
 * Makes a new unique reference. `Kernel.make_ref/0`
 * @example const ref = makeRef() // #Reference<0.0.0.8>
 */
export function makeRef(): Ref {
  return new Ref()
}

/**
 * True for a {@link Pid}. `Kernel.is_pid/1`
 * @example isPid(spawn(async () => {})) // true
 */
export function isPid(value: unknown): value is Pid {
  return value instanceof Pid
}
