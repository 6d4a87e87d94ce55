import { javascript } from '@codemirror/lang-javascript'
import { EditorState, type TransactionSpec } from '@codemirror/state'
import type { EditorView } from '@codemirror/view'
import { describe, expect, it } from 'vitest'
import { history, indentLess, indentMore, newlineAndIndent, redo, undo } from './editor-commands.ts'

/** The part of an EditorView the commands use, without a DOM. */
function editor(doc: string, cursor = doc.length) {
  let state = EditorState.create({
    doc,
    selection: { anchor: cursor },
    extensions: [history, javascript({ typescript: true })],
  })
  const view = {
    get state() {
      return state
    },
    dispatch(...specs: TransactionSpec[]) {
      state = state.update(...specs).state
    },
  } as unknown as EditorView
  const type = (text: string, userEvent = 'input.type') =>
    view.dispatch({ ...state.replaceSelection(text), userEvent })
  return { view, type, text: () => state.doc.toString() }
}

describe('undo and redo', () => {
  it('undo takes back a burst of typing in one step, and redo puts it back', () => {
    const { view, type, text } = editor('const a = ')
    type('4')
    type('2')
    expect(text()).toBe('const a = 42')
    expect(undo(view)).toBe(true)
    expect(text()).toBe('const a = ')
    expect(redo(view)).toBe(true)
    expect(text()).toBe('const a = 42')
    expect(redo(view), 'nothing more to redo').toBe(false)
  })

  it('keeps separate steps apart (a paste is not merged with typing)', () => {
    const { view, type, text } = editor('')
    type('a')
    type('bc', 'input.paste')
    undo(view)
    expect(text()).toBe('a')
    undo(view)
    expect(text()).toBe('')
    expect(undo(view), 'nothing more to undo').toBe(false)
  })

  it('a new edit after an undo drops what could have been redone', () => {
    const { view, type, text } = editor('')
    type('a', 'input.paste')
    undo(view)
    type('b', 'input.paste')
    expect(redo(view)).toBe(false)
    expect(text()).toBe('b')
  })
})

describe('Enter and Tab', () => {
  it('Enter between braces opens an indented line and keeps the closing brace below', () => {
    const { view, text } = editor('function f() {}', 'function f() {'.length)
    newlineAndIndent(view)
    expect(text()).toBe('function f() {\n  \n}')
    expect(view.state.selection.main.head).toBe('function f() {\n  '.length)
  })

  it('Enter keeps the indentation of the line', () => {
    const { view, text } = editor('{\n  const a = 1')
    newlineAndIndent(view)
    expect(text()).toBe('{\n  const a = 1\n  ')
  })

  it('Tab indents the selected lines by two spaces, Shift-Tab takes them back', () => {
    const { view, text } = editor('a\nb')
    view.dispatch({ selection: { anchor: 0, head: 3 } })
    indentMore(view)
    expect(text()).toBe('  a\n  b')
    indentLess(view)
    expect(text()).toBe('a\nb')
  })
})
