/**
 * The panel's code editor (CodeMirror 6, TypeScript highlighting) and its solution diff
 * (`@codemirror/merge`). One editor shows one file at a time: each file keeps its own state
 * (text, selection, undo history), swapped in when its tab is chosen.
 *
 * Colours come from CSS classes (`tok-keyword`…, styled in the panel's stylesheet) so that the
 * site's light and dark modes both apply without a second theme.
 */
import { autocompletion, closeBrackets, completionKeymap } from '@codemirror/autocomplete'
import { javascript } from '@codemirror/lang-javascript'
import {
  bracketMatching,
  indentOnInput,
  indentUnit,
  syntaxHighlighting,
} from '@codemirror/language'
import { unifiedMergeView } from '@codemirror/merge'
import { EditorState, type Extension } from '@codemirror/state'
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
} from '@codemirror/view'
import { classHighlighter } from '@lezer/highlight'
import { editingKeys } from './editor-commands.ts'

const look = EditorView.theme({
  '&': {
    fontSize: '14px',
    backgroundColor: 'var(--vp-code-block-bg)',
    color: 'var(--vp-c-text-1)',
    maxHeight: '480px',
  },
  '.cm-scroller': { fontFamily: 'var(--vp-font-family-mono)', lineHeight: '1.6' },
  '.cm-content': { caretColor: 'var(--vp-c-brand-1)' },
  '&.cm-focused': { outline: '2px solid var(--vp-c-brand-1)' },
  '.cm-gutters': {
    backgroundColor: 'var(--vp-code-block-bg)',
    color: 'var(--vp-code-line-number-color, var(--vp-c-text-3))',
    border: 'none',
  },
  '.cm-activeLine, .cm-activeLineGutter': { backgroundColor: 'var(--vp-c-default-soft)' },
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection': {
    backgroundColor: 'var(--vp-c-brand-soft)',
  },
})

/** What every editor and diff shares: TypeScript, colours, line numbers. */
function common(): Extension {
  return [
    lineNumbers(),
    highlightSpecialChars(),
    drawSelection(),
    syntaxHighlighting(classHighlighter),
    javascript({ typescript: true }),
    indentUnit.of('  '),
    EditorState.tabSize.of(2),
    look,
  ]
}

function editable(onChange: (text: string) => void): Extension {
  return [
    highlightActiveLine(),
    highlightActiveLineGutter(),
    bracketMatching(),
    closeBrackets(),
    indentOnInput(),
    autocompletion(),
    keymap.of(completionKeymap),
    editingKeys(),
    EditorView.updateListener.of((update) => {
      if (update.docChanged) onChange(update.state.doc.toString())
    }),
  ]
}

export interface FileTab {
  readonly path: string
  readonly content: string
  readonly readOnly: boolean
}

export interface FileEditor {
  /** Shows `path`, creating its state from `content` the first time. */
  show(tab: FileTab): void
  /** Replaces a file's text (reset), whether or not it is shown. */
  replace(path: string, content: string): void
  destroy(): void
}

/** An editor in `parent`; `onChange(path, text)` follows every edit of an editable file. */
export function createEditor(
  parent: HTMLElement,
  onChange: (path: string, text: string) => void,
): FileEditor {
  const states = new Map<string, EditorState>()
  const readOnly = new Set<string>()
  let shown: string | undefined
  const view = new EditorView({ parent })

  const stateFor = (path: string, content: string, locked: boolean) =>
    EditorState.create({
      doc: content,
      extensions: [
        common(),
        locked
          ? [
              EditorState.readOnly.of(true),
              EditorView.contentAttributes.of({ 'aria-readonly': 'true' }),
            ]
          : editable((text) => onChange(path, text)),
        EditorView.contentAttributes.of({ 'aria-label': path }),
      ],
    })

  return {
    show({ path, content, readOnly: locked }) {
      if (shown !== undefined) states.set(shown, view.state)
      const state = states.get(path) ?? stateFor(path, content, locked)
      if (locked) readOnly.add(path)
      states.set(path, state)
      shown = path
      view.setState(state)
    },
    replace(path, content) {
      const state = stateFor(path, content, readOnly.has(path))
      states.set(path, state)
      if (shown === path) view.setState(state)
    },
    destroy: () => view.destroy(),
  }
}

/** A read-only view of `solution`, marked up as changes to `learner` (the learner's code). */
export function createDiff(parent: HTMLElement, learner: string, solution: string): EditorView {
  return new EditorView({
    parent,
    doc: solution,
    extensions: [
      common(),
      EditorState.readOnly.of(true),
      unifiedMergeView({ original: learner, mergeControls: false, gutter: true }),
    ],
  })
}
