/**
 * The editing keys the panel's editor needs: undo/redo, Enter that keeps the indentation, Tab
 * and Shift-Tab, select all. `@codemirror/commands` has them all, but it is not among the
 * project's packages yet (the `codemirror` entry resolves to a CodeMirror 5 build, without
 * `basicSetup`), so these small versions stand in for it.
 */

import { getIndentation, IndentContext, indentString } from '@codemirror/language'
import {
  Annotation,
  type ChangeSet,
  EditorSelection,
  type EditorState,
  type Extension,
  StateField,
} from '@codemirror/state'
import { type Command, type EditorView, keymap } from '@codemirror/view'

/** Marks the transactions made by undo and redo themselves. */
const fromHistory = Annotation.define<'undo' | 'redo'>()

/** One step to take back: the changes that revert it and the selection before it. */
interface Step {
  readonly changes: ChangeSet
  readonly selection: EditorSelection
  readonly time: number
}

interface History {
  readonly done: readonly Step[]
  readonly undone: readonly Step[]
}

/** Keystrokes closer together than this undo as one step. */
const GROUP_MS = 500
const MAX_STEPS = 200

export const history = StateField.define<History>({
  create: () => ({ done: [], undone: [] }),
  update(past, tr) {
    if (!tr.docChanged) return past
    const step: Step = {
      changes: tr.changes.invert(tr.startState.doc),
      selection: tr.startState.selection,
      time: Date.now(),
    }
    const source = tr.annotation(fromHistory)
    if (source === 'undo') return { done: past.done.slice(0, -1), undone: [...past.undone, step] }
    if (source === 'redo') return { done: [...past.done, step], undone: past.undone.slice(0, -1) }
    const last = past.done.at(-1)
    if (last && tr.isUserEvent('input.type') && step.time - last.time < GROUP_MS) {
      const merged = { ...last, changes: step.changes.compose(last.changes), time: step.time }
      return { done: [...past.done.slice(0, -1), merged], undone: [] }
    }
    return { done: [...past.done, step].slice(-MAX_STEPS), undone: [] }
  },
})

function replay(which: 'undo' | 'redo'): Command {
  return (view) => {
    const past = view.state.field(history)
    const step = (which === 'undo' ? past.done : past.undone).at(-1)
    if (!step || view.state.readOnly) return false
    view.dispatch({
      changes: step.changes,
      selection: step.selection,
      annotations: fromHistory.of(which),
      scrollIntoView: true,
      userEvent: which,
    })
    return true
  }
}

/** A line break, indented the way the language says (one level more after `{`, `(`, `[`). */
export const newlineAndIndent: Command = (view) => {
  const { state } = view
  if (state.readOnly) return false
  const transaction = state.changeByRange(({ from, to }) => {
    const line = state.doc.lineAt(from)
    const between =
      /[[({]\s*$/.test(state.sliceDoc(line.from, from)) &&
      /^\s*[\])}]/.test(state.sliceDoc(to, line.to))
    const context = new IndentContext(state, { simulateBreak: from, simulateDoubleBreak: between })
    const current = /^\s*/.exec(line.text)![0].length
    const indent = indentString(state, getIndentation(context, from) ?? current)
    const insert = `\n${indent}${between ? `\n${indentString(state, current)}` : ''}`
    return {
      changes: { from, to, insert },
      range: EditorSelection.cursor(from + 1 + indent.length),
    }
  })
  view.dispatch(transaction, { scrollIntoView: true, userEvent: 'input' })
  return true
}

/** The lines a selection touches, each once. */
function selectedLines(state: EditorState) {
  const lines = new Map<number, ReturnType<EditorState['doc']['lineAt']>>()
  for (const range of state.selection.ranges)
    for (let pos = range.from; pos <= range.to; ) {
      const line = state.doc.lineAt(pos)
      lines.set(line.number, line)
      pos = line.to + 1
    }
  return [...lines.values()]
}

const UNIT = '  '

/**
 * When Escape was last pressed in each editor: Tab right after it moves the focus on instead of
 * indenting, so a keyboard user is never trapped in the editor.
 */
const escapedAt = new WeakMap<EditorView, number>()
const ESCAPE_MS = 2000

const rememberEscape: Command = (view) => {
  escapedAt.set(view, Date.now())
  return false
}

const leavingByTab = (view: EditorView) =>
  Date.now() - (escapedAt.get(view) ?? Number.NEGATIVE_INFINITY) < ESCAPE_MS

export const indentMore: Command = (view) => {
  const { state } = view
  if (state.readOnly || leavingByTab(view)) return false
  if (state.selection.ranges.every((range) => range.empty))
    view.dispatch(state.replaceSelection(UNIT), { userEvent: 'input' })
  else
    view.dispatch({
      changes: selectedLines(state).map((line) => ({ from: line.from, insert: UNIT })),
      userEvent: 'input.indent',
    })
  return true
}

export const indentLess: Command = (view) => {
  const { state } = view
  if (state.readOnly || leavingByTab(view)) return false
  view.dispatch({
    changes: selectedLines(state).map((line) => ({
      from: line.from,
      to: line.from + Math.min(UNIT.length, /^ */.exec(line.text)![0].length),
    })),
    userEvent: 'delete.dedent',
  })
  return true
}

const selectAll: Command = (view: EditorView) => {
  view.dispatch({ selection: { anchor: 0, head: view.state.doc.length }, userEvent: 'select' })
  return true
}

/** History and the keys above. Esc then Tab leaves the editor. */
export const undo = replay('undo')
export const redo = replay('redo')

export function editingKeys(): Extension {
  return [
    history,
    keymap.of([
      { key: 'Mod-z', run: undo, preventDefault: true },
      { key: 'Mod-y', run: redo, preventDefault: true },
      { key: 'Mod-Shift-z', run: redo, preventDefault: true },
      { key: 'Mod-a', run: selectAll },
      { key: 'Enter', run: newlineAndIndent },
      { key: 'Escape', run: rememberEscape },
      { key: 'Tab', run: indentMore, shift: indentLess },
    ]),
  ]
}
