// Serves the phone app: the shell, its bundle (dist/web/app.js), styles, manifest, icons and the
// service worker, all from the hub itself (a phone at home may have no internet). No token is
// needed for these files; every API call they make needs one. Text files go out brotli- or
// gzip-compressed when the browser accepts it (compressed once, on first request, then kept), and
// every file has an ETag, so a reload costs a 304 instead of the bundle again.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { requestHeader } from '../api/node-request.js';
import type { ApiEnv, ApiModule } from '../api/route-module.js';
import { packageRoot } from '../version.js';

const HTML = 'text/html; charset=utf-8';
const ASSETS: Record<string, { file: string; type: string }> = {
  '/': { file: 'static/index.html', type: HTML },
  '/index.html': { file: 'static/index.html', type: HTML },
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

export function createWebModule(): ApiModule {
  const root = packageRoot();
  const cache = new Map<string, Loaded>();
  const load = (file: string): Loaded | undefined => {
    const path = file === 'BUNDLE' ? join(root, 'dist/web/app.js') : join(root, 'hub/web', file);
    let hit = cache.get(path);
    if (!hit) {
      let body: Buffer;
      try {
        body = readFileSync(path);
      } catch {
        return undefined;
      }
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
      hit = { body, etag };
      cache.set(path, hit);
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
        ...(spec.type === HTML
          ? {
              'content-security-policy':
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'",
            }
          : {}),
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
