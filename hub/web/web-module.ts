// Serves the phone app: the shell, its bundle (dist/web/app.js), styles, manifest, icons and the
// service worker, all from the hub itself (a phone at home may have no internet). No token is
// needed for these files; every API call they make needs one. Text files go out brotli- or
// gzip-compressed when the browser accepts it (compressed once, on first request, then kept), and
// every file has an ETag, so a reload costs a 304 instead of the bundle again. The page itself
// carries its styles and bundle inline (allowed by their hashes in the CSP): one request paints
// the app, which on a phone's latency is what a first paint within a second takes.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { requestHeader } from '../api/node-request.js';
import type { ApiEnv, ApiModule } from '../api/route-module.js';
import { packageRoot } from '../infra/version.js';

const HTML = 'text/html; charset=utf-8';
const ASSETS: Record<string, { file: string; type: string }> = {
  '/': { file: 'SHELL', type: HTML },
  '/index.html': { file: 'SHELL', type: HTML },
  '/app.css': { file: 'static/app.css', type: 'text/css; charset=utf-8' },
  '/sw.js': { file: 'static/sw.js', type: 'text/javascript; charset=utf-8' },
  '/manifest.webmanifest': { file: 'static/manifest.webmanifest', type: 'application/manifest+json' },
  '/icon-192.png': { file: 'static/icon-192.png', type: 'image/png' },
  '/icon-512.png': { file: 'static/icon-512.png', type: 'image/png' },
  // Browsers ask for it whatever the page says; a 404 would be a console error.
  '/favicon.ico': { file: 'static/icon-192.png', type: 'image/png' },
  '/app.js': { file: 'BUNDLE', type: 'text/javascript; charset=utf-8' },
};

interface Loaded {
  body: Buffer;
  etag: string;
  /** For the page: the CSP that allows exactly its inline style and script. */
  csp?: string;
  br?: Buffer;
  gzip?: Buffer;
}

/** The encoding to send: brotli, else gzip, else none, by what Accept-Encoding allows. */
export function pickEncoding(accept: string | undefined): 'br' | 'gzip' | undefined {
  const allowed = new Map<string, number>();
  for (const part of (accept ?? '').toLowerCase().split(',')) {
    const [name = '', ...params] = part.trim().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    allowed.set(name, q ? Number(q.slice(2)) || 0 : 1);
  }
  const ok = (name: string) => (allowed.get(name) ?? (allowed.has('*') ? allowed.get('*') : 0) ?? 0) > 0;
  if (ok('br')) return 'br';
  if (ok('gzip')) return 'gzip';
  return undefined;
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/** index.html with app.css and the bundle inline, and the CSP that allows exactly those two. */
function inlineShell(read: (file: string) => Buffer): { body: Buffer; csp: string } {
  const css = read('static/app.css').toString('utf8');
  // A "</script" inside the bundle would end the element early; "<\/" means the same to JS.
  const js = read('BUNDLE')
    .toString('utf8')
    .replace(/<\/(script)/gi, '<\\/$1');
  const html = read('static/index.html')
    .toString('utf8')
    .replace(/<link rel="stylesheet" href="\/app\.css" \/>/, () => `<style>${css}</style>`)
    .replace(
      /<script type="module" src="\/app\.js"><\/script>/,
      () => `<script type="module">${js}</script>`,
    );
  const csp = [
    "default-src 'self'",
    "img-src 'self' data:",
    `style-src 'self' ${sha256(css)}`,
    `script-src 'self' ${sha256(js)}`,
    "connect-src 'self'",
  ].join('; ');
  return { body: Buffer.from(html), csp };
}

export function createWebModule(): ApiModule {
  const root = packageRoot();
  const cache = new Map<string, Loaded>();
  const bundlePath = join(root, 'dist/web/app.js');
  const read = (file: string): Buffer =>
    readFileSync(file === 'BUNDLE' ? bundlePath : join(root, 'hub/web', file));
  const load = (file: string): Loaded | undefined => {
    let hit = cache.get(file);
    if (!hit) {
      let body: Buffer;
      let csp: string | undefined;
      try {
        if (file === 'SHELL') ({ body, csp } = inlineShell(read));
        else body = read(file);
      } catch {
        return undefined;
      }
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
      hit = { body, etag, ...(csp ? { csp } : {}) };
      cache.set(file, hit);
    }
    return hit;
  };
  const encoded = (asset: Loaded, encoding: 'br' | 'gzip'): Buffer => {
    if (encoding === 'br')
      asset.br ??= brotliCompressSync(asset.body, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: 11,
          [constants.BROTLI_PARAM_SIZE_HINT]: asset.body.length,
        },
      });
    else asset.gzip ??= gzipSync(asset.body, { level: 9 });
    return (encoding === 'br' ? asset.br : asset.gzip) as Buffer;
  };
  const app = new Hono<ApiEnv>();
  for (const [path, spec] of Object.entries(ASSETS)) {
    app.get(path, (c) => {
      const asset = load(spec.file);
      if (!asset)
        return c.json(
          {
            ok: false,
            error: { code: 'not_found', message: 'the phone app is not built: run npm run build' },
          },
          404,
        );
      const compressible = !spec.type.startsWith('image/');
      const headers: Record<string, string> = {
        'content-type': spec.type,
        // Revalidate every time (a 304 when unchanged): the service worker keeps the shell offline.
        'cache-control': 'no-cache',
        etag: asset.etag,
        'x-content-type-options': 'nosniff',
        ...(compressible ? { vary: 'Accept-Encoding' } : {}),
        ...(asset.csp ? { 'content-security-policy': asset.csp } : {}),
        ...(path === '/sw.js' ? { 'service-worker-allowed': '/' } : {}),
      };
      const match = requestHeader(c, 'if-none-match');
      if (match?.split(',').some((t) => t.trim().replace(/^W\//, '') === asset.etag))
        return c.body(null, 304, headers);
      const encoding = compressible ? pickEncoding(requestHeader(c, 'accept-encoding')) : undefined;
      if (!encoding) return c.body(new Uint8Array(asset.body), 200, headers);
      return c.body(new Uint8Array(encoded(asset, encoding)), 200, {
        ...headers,
        'content-encoding': encoding,
      });
    });
  }
  return { basePath: '/', app, openapi: {}, public: true };
}
