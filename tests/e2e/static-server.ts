/**
 * A tiny static file server for the built site, with VitePress's clean URLs: `/guide/x` serves
 * `guide/x.html`, `/reference/` serves `reference/index.html`, anything else is `404.html`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, sep } from 'node:path'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.xml': 'application/xml',
  '.woff2': 'font/woff2',
  '.png': 'image/png',
}

/** The file under `root` that a URL path names, relative to `root`, or undefined. */
export function resolveFile(root: string, pathname: string): string | undefined {
  let path: string
  try {
    path = normalize(decodeURIComponent(pathname)).replace(/^[/\\]+/, '')
  } catch {
    return undefined
  }
  if (path.startsWith('..')) return undefined
  const candidates =
    path === '' || path.endsWith(sep) ? [`${path}index.html`] : [path, `${path}.html`]
  return candidates.find((file) => {
    const full = join(root, file)
    return existsSync(full) && statSync(full).isFile()
  })
}

export interface StaticServer {
  readonly url: string
  close(): Promise<void>
}

/** Serves `root` on 127.0.0.1, on a port the system picks. */
export async function serveStatic(root: string): Promise<StaticServer> {
  const server: Server = createServer((request, response) => {
    const { pathname } = new URL(request.url ?? '/', 'http://localhost')
    const file = resolveFile(root, pathname)
    const status = file === undefined ? 404 : 200
    const served = file ?? '404.html'
    response.writeHead(status, {
      'content-type': TYPES[extname(served)] ?? 'application/octet-stream',
    })
    response.end(readFileSync(join(root, served)))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
