/**
 * Turns the runtime's declarations and doc comments into Markdown for the reference pages:
 * a declaration's signature (its source text without bodies, comments or `@internal` members),
 * a doc comment's prose (with `{@link name}` made a link), and a file's module doc.
 */
import ts from 'typescript'
import { ELIXIR_REFERENCE, NO_COUNTERPART } from './runtime-api.ts'

// --- Signatures ------------------------------------------------------------------------------

/** The declarations of `symbol` as a TypeScript reader would write them, without bodies. */
export function signature(checker: ts.TypeChecker, symbol: ts.Symbol): string {
  const declarations = symbol.declarations ?? []
  const withBody = declarations.filter(hasBody)
  // An overloaded function shows its overloads, not the implementation behind them.
  const shown =
    withBody.length > 0 && withBody.length < declarations.length
      ? declarations.filter((d) => !hasBody(d))
      : declarations
  return shown.map((declaration) => declarationText(checker, declaration)).join('\n')
}

function hasBody(declaration: ts.Declaration): boolean {
  return (ts.isFunctionLike(declaration) && 'body' in declaration && !!declaration.body) === true
}

function declarationText(checker: ts.TypeChecker, declaration: ts.Declaration): string {
  if (ts.isClassDeclaration(declaration)) return classText(checker, declaration)
  if (ts.isVariableDeclaration(declaration)) return variableText(checker, declaration)
  const body = (declaration as { body?: ts.Node }).body
  const end = body === undefined ? declaration.end : body.getStart()
  return sourceText(declaration, end, internalMembers(declaration))
}

/** `const name: Type`, the arrow function's type, or the whole (short) initializer. */
function variableText(checker: ts.TypeChecker, declaration: ts.VariableDeclaration): string {
  const name = declaration.name.getText()
  const init = declaration.initializer
  if (declaration.type !== undefined) return `const ${name}: ${declaration.type.getText()}`
  if (init !== undefined && (ts.isArrowFunction(init) || ts.isFunctionExpression(init)))
    return `const ${name}: ${checker.typeToString(checker.getTypeAtLocation(declaration))}`
  return `const ${sourceText(declaration, declaration.end, [])}`
}

/** The class line and its public properties and accessors; its methods have entries of their own. */
function classText(checker: ts.TypeChecker, declaration: ts.ClassDeclaration): string {
  const source = declaration.getSourceFile()
  const header = withoutModifiers(
    source.text.slice(declaration.getStart(), declaration.members.pos).trim(),
  )
  const members: string[] = []
  for (const member of declaration.members) {
    if (isHidden(member)) continue
    if (ts.isPropertyDeclaration(member)) {
      const modifiers = (ts.getModifiers(member) ?? []).map((m) => `${m.getText()} `).join('')
      const type =
        member.type?.getText() ?? checker.typeToString(checker.getTypeAtLocation(member.name))
      const optional = member.questionToken ? '?' : ''
      members.push(`  ${modifiers}${member.name.getText()}${optional}: ${type}`)
    } else if (ts.isGetAccessor(member) || ts.isConstructorDeclaration(member)) {
      const end = member.body?.getStart() ?? member.end
      members.push(indent(sourceText(member, end, []), '  '))
    }
  }
  return members.length === 0 ? `${header}}` : `${header}\n${members.join('\n')}\n}`
}

/** Private, protected, `#private` and `@internal` members are not part of the API. */
function isHidden(member: ts.ClassElement | ts.TypeElement): boolean {
  if (member.name !== undefined && ts.isPrivateIdentifier(member.name)) return true
  if (
    ts.getCombinedModifierFlags(member as ts.Declaration) &
    ts.ModifierFlags.NonPublicAccessibilityModifier
  )
    return true
  return ts.getJSDocTags(member).some((tag) => tag.tagName.text === 'internal')
}

/** The `@internal` members of an interface or a type literal, to be left out of its text. */
function internalMembers(declaration: ts.Declaration): ts.Node[] {
  const members = ts.isInterfaceDeclaration(declaration)
    ? declaration.members
    : ts.isTypeAliasDeclaration(declaration) && ts.isTypeLiteralNode(declaration.type)
      ? declaration.type.members
      : []
  return members.filter(isHidden)
}

/**
 * The source of `node` up to `end`, without `export`, comments and the `left out` nodes, lines
 * dedented to the node's own column, and empty lines dropped.
 */
function sourceText(node: ts.Node, end: number, leftOut: ts.Node[]): string {
  const source = node.getSourceFile()
  const start = node.getStart()
  const cuts = [
    ...commentRanges(node, start, end),
    ...leftOut.map((n) => ({ pos: n.getFullStart(), end: n.end })),
  ].sort((a, b) => a.pos - b.pos)
  let text = ''
  let at = start
  for (const cut of cuts) {
    if (cut.end <= at) continue
    text += source.text.slice(at, Math.max(at, cut.pos))
    at = Math.max(at, cut.end)
  }
  text += source.text.slice(at, end)
  const column = source.getLineAndCharacterOfPosition(start).character
  const lines = text
    .split('\n')
    .map((line, i) => (i === 0 ? line : line.slice(Math.min(column, /^ */.exec(line)![0].length))))
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== '')
  return withoutModifiers(lines.join('\n').trim())
}

/** Every comment inside `node` between `start` and `end` (the doc comment before it is outside). */
function commentRanges(node: ts.Node, start: number, end: number): ts.TextRange[] {
  const text = node.getSourceFile().text
  const ranges: ts.TextRange[] = []
  const visit = (child: ts.Node) => {
    for (const range of [
      ...(ts.getLeadingCommentRanges(text, child.getFullStart()) ?? []),
      ...(ts.getTrailingCommentRanges(text, child.end) ?? []),
    ])
      if (range.pos >= start && range.end <= end) ranges.push(range)
    for (const grandchild of child.getChildren()) visit(grandchild)
  }
  visit(node)
  return ranges
}

function withoutModifiers(text: string): string {
  return text.replace(/^(export\s+)?(default\s+)?(declare\s+)?/, '')
}

function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((line) => by + line)
    .join('\n')
}

// --- Doc comments ----------------------------------------------------------------------------

/** Resolves `{@link name}` from a doc comment to the URL of its entry, if it has one. */
export type LinkResolver = (name: string) => string | undefined

/**
 * Doc comment prose as Markdown: `{@link name}` becomes a link to its entry, and `<` or `{{`
 * outside code is escaped, since VitePress reads a page as a Vue template.
 */
export function prose(text: string, resolve: LinkResolver): string {
  const linked = text.replace(/\{@link\s+([^}\s|]+)(?:[\s|]+([^}]*))?\}/g, (_all, name, label) => {
    const url = resolve(name)
    const shown = label?.trim() || `\`${name}\``
    return url === undefined ? shown : `[${shown}](${url})`
  })
  // Split on code spans and fenced blocks; escape only what lies between them.
  return linked
    .split(/(```[\s\S]*?```|`[^`\n]*`)/)
    .map((part, i) =>
      i % 2 === 1 ? part : part.replace(/</g, '&lt;').replace(/\{\{/g, '&#123;&#123;'),
    )
    .join('')
}

/** The Elixir or Erlang functions a doc comment names, or its "(no Elixir counterpart: ...)". */
export function elixirCounterpart(texts: string[]): string | undefined {
  const text = texts.join('\n')
  const references = [...text.matchAll(new RegExp(ELIXIR_REFERENCE, 'g'))].map((m) => m[0])
  if (references.length > 0) return [...new Set(references)].join(', ')
  const none = NO_COUNTERPART.exec(text)
  return none === null ? undefined : none[0].slice(1, -1).replace(/^no/, 'No').replace(/\s+/g, ' ')
}

/** The summary without the "(no Elixir counterpart: ...)" note, which the entry shows apart. */
export function summaryText(description: string): string {
  return description
    .replace(NO_COUNTERPART, '')
    .replace(/[ \t]+\n/g, '\n')
    .trim()
}

// --- Module docs -----------------------------------------------------------------------------

/** A file's leading doc comment: its prose, examples and `@see` links, or nothing if `@internal`. */
export interface ModuleDoc {
  /** Markdown paragraphs and fenced examples, in the order written. */
  readonly body: string
  /** The first sentence, for the index. */
  readonly summary: string
}

export function moduleDoc(source: ts.SourceFile, resolve: LinkResolver): ModuleDoc | undefined {
  const range = ts.getLeadingCommentRanges(source.text, 0)?.[0]
  if (range === undefined || !source.text.startsWith('/**', range.pos)) return undefined
  const lines = source.text
    .slice(range.pos + 3, range.end - 2)
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, '').trimEnd())
  if (lines.some((line) => /^@internal\b/.test(line))) return undefined
  const firstTag = lines.findIndex((line) => line.startsWith('@'))
  const description = firstTag === -1 ? lines : lines.slice(0, firstTag)
  const blocks: string[] = []
  const see: string[] = []
  let paragraph: string[] = []
  let inExample = false
  const flush = () => {
    if (paragraph.length === 0) return
    const text = paragraph.join('\n').trim()
    if (text !== '') blocks.push(inExample ? fence(text) : prose(text, resolve))
    paragraph = []
  }
  for (const line of lines) {
    const tag = /^@(\w+)\s*(.*)$/.exec(line)
    if (tag !== null) {
      flush()
      inExample = tag[1] === 'example'
      if (tag[1] === 'see') see.push(tag[2])
      else if (inExample && tag[2] !== '') paragraph.push(tag[2])
    } else if (line === '') {
      flush()
    } else {
      // An example ends at the first paragraph that reads as prose: a capitalised word, then a space.
      if (inExample && paragraph.length === 0 && /^[A-Z][a-z]*[:,]?\s/.test(line)) {
        inExample = false
      }
      paragraph.push(line)
    }
  }
  flush()
  // Consecutive example paragraphs are one example.
  const merged = blocks.reduce<string[]>((all, block) => {
    const last = all.at(-1)
    if (last?.startsWith('```ts\n') && block.startsWith('```ts\n'))
      all[all.length - 1] = `${last.slice(0, -4)}\n\n${block.slice(6)}`
    else all.push(block)
    return all
  }, [])
  if (see.length > 0) merged.push(`See ${see.map((url) => `<${url}>`).join(', ')}.`)
  const first = description.join(' ').split(/(?<=\.)\s+(?=[A-Z`])/)[0] ?? ''
  return { body: merged.join('\n\n'), summary: prose(first.trim(), resolve) }
}

/** A fenced TypeScript block; plain, not twoslash, so the build stays fast. */
export function fence(code: string): string {
  return `\`\`\`ts\n${code.replace(/\s+$/, '')}\n\`\`\``
}
