/**
 * Small HTTP helpers for the endpoint, on plain `node:http`: read a JSON body with a size
 * limit, answer with JSON, serve the static files of the browser client.
 *
 * Everything from the network is checked here, once, with an answer that says what was wrong:
 * a body that is not JSON is a 400, a body over the limit a 413 (we stop reading it: a client
 * must not be able to make the server buffer megabytes), a body of another type a 415.
 *
 * What it teaches: the edge of a system validates and refuses early; the processes behind it
 * only ever see well-formed requests.
 */
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, join, resolve, sep } from 'node:path'

/** A request that could not be read: the status to answer and what was wrong. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

/** The largest JSON body accepted: 16 KB. */
export const MAX_BODY_BYTES = 16 * 1024

/**
 * Reads the request body as a JSON object. Throws an `HttpError`: 415 if it is not declared
 * as JSON, 413 if it is larger than `limit` bytes, 400 if it is not a JSON object.
 */
export async function readJson(
  request: IncomingMessage,
  limit = MAX_BODY_BYTES,
): Promise<Record<string, unknown>> {
  const type = request.headers['content-type'] ?? ''
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new HttpError(415, 'expected a JSON body (Content-Type: application/json)')
  }
  const tooBig = new HttpError(413, `the body must be at most ${limit} bytes`)
  // A declared length over the limit is refused before reading a byte of it.
  if (Number(request.headers['content-length'] ?? 0) > limit) throw tooBig
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > limit) throw tooBig
    chunks.push(chunk)
  }
  let value: unknown
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw new HttpError(400, 'the body is not valid JSON')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpError(400, 'the body must be a JSON object')
  }
  return value as Record<string, unknown>
}

/** Answers with `body` as JSON. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body)
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  })
  response.end(text)
}

/** Answers with an error: `{ error: message }`. */
export function sendError(response: ServerResponse, status: number, message: string): void {
  // After a refused body the connection may still carry unread bytes: do not reuse it.
  const headers: Record<string, string> = status === 413 ? { connection: 'close' } : {}
  sendJson(response, status, { error: message }, headers)
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
}

/**
 * Serves the file `pathname` (from the URL) out of `root`, `index.html` for a directory.
 * Resolves to false when there is no such file (the caller answers 404). A path that leads
 * out of `root` (`/../secret`) is never served.
 */
export async function serveStatic(
  root: string,
  pathname: string,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<boolean> {
  let path: string
  try {
    path = decodeURIComponent(pathname)
  } catch {
    return false
  }
  const base = resolve(root)
  let file = resolve(join(base, path))
  if (path.includes('\0') || (file !== base && !file.startsWith(base + sep))) return false
  let info = await stat(file).catch(() => undefined)
  if (info?.isDirectory()) {
    file = join(file, 'index.html')
    info = await stat(file).catch(() => undefined)
  }
  if (info === undefined || !info.isFile()) return false
  response.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': info.size,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-cache',
  })
  if (request.method === 'HEAD') response.end()
  else createReadStream(file).pipe(response)
  return true
}

/** The page served at `/` until the browser client exists. */
export const PLACEHOLDER_PAGE = `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>Let It Crash chat</title>
<h1>Let It Crash chat</h1>
<p>The chat server is running. The browser UI is coming soon.</p>
<p>Meanwhile: <code>POST /api/users</code> with <code>{"username", "password"}</code> gives a
token; the official <code>phoenix</code> client connects to <code>/socket</code> with
<code>params: { token }</code> and joins <code>room:lobby</code>.</p>
</html>
`
