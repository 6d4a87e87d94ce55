/**
 * Chapter 14's event-sourcing sample: a bank account that stores what happened, never its
 * balance. The logic is two pure functions; a GenServer runs it next to a log kept by an Agent,
 * under a `rest_for_one` supervisor. `event-sourcing.test.ts` crashes it and checks the balance.
 */
import { Agent, GenServer, Supervisor } from 'letitcrash'

// #region logic
/** Facts, in the past tense. `at` is chosen once, when the command is decided. */
export type AccountEvent =
  | { readonly type: 'deposited'; readonly amount: number; readonly at: number }
  | { readonly type: 'withdrawn'; readonly amount: number; readonly at: number }

/** Requests, which may be refused. */
export type Command = {
  readonly type: 'deposit' | 'withdraw'
  readonly amount: number
}

export type Decision =
  | readonly ['ok', AccountEvent[]]
  | readonly ['error', string]

export interface Account {
  readonly balance: number
}

export const opened: Account = { balance: 0 }

/** Applies one event. It cannot fail: the event has happened. */
export function evolve(account: Account, event: AccountEvent): Account {
  switch (event.type) {
    case 'deposited':
      return { balance: account.balance + event.amount }
    case 'withdrawn':
      return { balance: account.balance - event.amount }
  }
}

/** Turns a command into events, or refuses it. Changes nothing. */
export function decide(
  account: Account,
  command: Command,
  now: number,
): Decision {
  if (!(command.amount > 0)) return ['error', 'amount_must_be_positive']
  if (command.type === 'withdraw' && command.amount > account.balance)
    return ['error', 'insufficient_funds']
  const type = command.type === 'deposit' ? 'deposited' : 'withdrawn'
  return ['ok', [{ type, amount: command.amount, at: now }]]
}
// #endregion logic

// #region process
type State = { readonly log: string; readonly account: Account }
type Request = Command | 'balance'

/** The command side: rebuilds the account from the log in `init`, appends before it applies. */
export const AccountServer = {
  async init(log: string) {
    const events = await Agent.get(log, (events: AccountEvent[]) => events)
    return ['ok', { log, account: events.reduce(evolve, opened) }]
  },
  async handleCall(request, _from, state) {
    if (request === 'balance') return ['reply', state.account.balance, state]
    const decision = decide(state.account, request, this.node.clock.now())
    if (decision[0] === 'error') return ['reply', decision, state]
    const events = decision[1]
    // Stored first: a crash after this line loses nothing, the log has it.
    await Agent.update(state.log, (log: AccountEvent[]) => [...log, ...events])
    const account = events.reduce(evolve, state.account)
    return ['reply', decision, { ...state, account }]
  },
} satisfies GenServer.Behaviour<
  State,
  string,
  Request,
  never,
  Decision | number
>

/** The log (an Agent) first, the account after it: `rest_for_one`. */
export function startAccount(name: string) {
  const log = `${name}.log`
  return Supervisor.startLink(
    [
      {
        id: 'log',
        start: () => Agent.startLink(() => [] as AccountEvent[], { name: log }),
      },
      {
        id: 'account',
        start: () => GenServer.startLink(AccountServer, log, { name }),
      },
    ],
    { strategy: 'rest_for_one' },
  )
}
// #endregion process

// #region projection
/** A read model for one question, "what does my statement say?", folded from the same log. */
export function statement(events: readonly AccountEvent[]): string[] {
  let balance = 0
  return events.map(({ type, amount, at }) => {
    balance += type === 'deposited' ? amount : -amount
    const sign = type === 'deposited' ? '+' : '-'
    return `${at} ms  ${sign}${amount}  = ${balance}`
  })
}
// #endregion projection
