// Serves the phone app, all from the hub itself (a phone at home may have no internet): the page
// (shell.ts), the app's modules under /assets/ (dist/web/assets: names with a content hash, so
// they are cached for good), styles, manifest, icons and the service worker. No token is needed
// for these files; every API call they make needs one. Text goes out brotli- or gzip-compressed
// when the browser accepts it (compressed once, then kept), and every file has an ETag, so a
// reload costs a 304 (the page) or nothing (the modules).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { type Context, Hono } from 'hono';
import { requestToken } from '../api/auth.js';
import { incomingOf, requestHeader } from '../api/node-request.js';
import { isPlainFromLan } from '../api/plain-gate.js';
import type { ApiEnv, ApiModule } from '../api/route-module.js';
import { packageRoot } from '../infra/version.js';
import { buildShell, type ShellVariant } from './shell.js';

const HTML = 'text/html; charset=utf-8';
const JS = 'text/javascript; charset=utf-8';
const STATIC: Record<string, { file: string; type: string }> = {
  '/app.css': { file: 'static/app.css', type: 'text/css; charset=utf-8' },
  '/manifest.webmanifest': { file: 'static/manifest.webmanifest', type: 'application/manifest+json' },
  '/icon-192.png': { file: 'static/icon-192.png', type: 'image/png' },
  '/icon-512.png': { file: 'static/icon-512.png', type: 'image/png' },
  // Browsers ask for it whatever the page says; a 404 would be a console error.
  '/favicon.ico': { file: 'static/icon-192.png', type: 'image/png' },
};
const IMMUTABLE = 'public, max-age=31536000, immutable';

interface Loaded {
  body: Buffer;
  etag: string;
  type: string;
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

function loaded(body: Buffer, type: string, csp?: string): Loaded {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
  return { body, etag, type, ...(csp ? { csp } : {}) };
}

function encoded(asset: Loaded, encoding: 'br' | 'gzip'): Buffer {
  if (encoding === 'br')
    asset.br ??= brotliCompressSync(asset.body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_SIZE_HINT]: asset.body.length,
      },
    });
  else asset.gzip ??= gzipSync(asset.body, { level: 9 });
  return (encoding === 'br' ? asset.br : asset.gzip) as Buffer;
}

/** One file as the answer: a 304 when the browser has it, else compressed when it may be. */
function send(c: Context<ApiEnv>, asset: Loaded, extra: Record<string, string>): Response {
  const compressible = !asset.type.startsWith('image/');
  const headers: Record<string, string> = {
    'content-type': asset.type,
    // The page and unhashed files revalidate every time (a 304 when unchanged).
    'cache-control': 'no-cache',
    etag: asset.etag,
    'x-content-type-options': 'nosniff',
    ...(compressible ? { vary: 'Accept-Encoding' } : {}),
    ...(asset.csp ? { 'content-security-policy': asset.csp } : {}),
    ...extra,
  };
  const match = requestHeader(c, 'if-none-match');
  if (match?.split(',').some((t) => t.trim().replace(/^W\//, '') === asset.etag))
    return c.body(null, 304, headers);
  const encoding = compressible ? pickEncoding(requestHeader(c, 'accept-encoding')) : undefined;
  if (!encoding) return c.body(new Uint8Array(asset.body), 200, headers);
  return c.body(new Uint8Array(encoded(asset, encoding)), 200, { ...headers, 'content-encoding': encoding });
}

const notBuilt = (c: Context<ApiEnv>) =>
  c.json(
    { ok: false, error: { code: 'not_found', message: 'the phone app is not built: run npm run build' } },
    404,
  );

export interface WebOptions {
  hubName: string;
  /** Whether a token is a live session (the page then opens on the app, not on pairing). */
  isSession(token: string): boolean;
}

export function createWebModule(options: WebOptions): ApiModule {
  const root = packageRoot();
  const web = (file: string) => readFileSync(join(root, 'hub/web', file));
  const assetsDir = join(root, 'dist/web/assets');
  const cache = new Map<string, Loaded | null>();
  const once = (key: string, make: () => Loaded): Loaded | undefined => {
    if (!cache.has(key)) {
      try {
        cache.set(key, make());
      } catch {
        cache.set(key, null); // not built: every ask answers 404 until the hub restarts
      }
    }
    return cache.get(key) ?? undefined;
  };
  const manifest = () =>
    JSON.parse(readFileSync(join(root, 'dist/web/assets.json'), 'utf8')) as {
      entry: string;
      preload: string[];
    };
  const shell = (variant: ShellVariant) =>
    once(`shell:${variant}`, () => {
      const { entry, preload } = manifest();
      const { html, csp } = buildShell(
        {
          template: web('static/index.html').toString('utf8'),
          css: web('static/app.css').toString('utf8'),
          boot: web('static/boot.js').toString('utf8'),
          hubName: options.hubName,
          entry: `/assets/${entry}`,
          preload: preload.map((p) => `/assets/${p}`),
        },
        variant,
      );
      return loaded(Buffer.from(html), HTML, csp);
    });
  const variantOf = (c: Context<ApiEnv>): ShellVariant => {
    const incoming = incomingOf(c);
    if (incoming && isPlainFromLan(incoming)) return 'plain';
    const token = requestToken(c);
    return token && options.isSession(token) ? 'app' : 'pair';
  };

  const app = new Hono<ApiEnv>();
  for (const path of ['/', '/index.html']) {
    app.get(path, (c) => {
      const page = shell(variantOf(c));
      // Which page depends on the session cookie: a cache must not hand one phone's to another.
      return page ? send(c, page, { vary: 'Accept-Encoding, Cookie' }) : notBuilt(c);
    });
  }
  for (const [path, spec] of Object.entries(STATIC)) {
    app.get(path, (c) => {
      const asset = once(path, () => loaded(web(spec.file), spec.type));
      return asset ? send(c, asset, {}) : notBuilt(c);
    });
  }
  app.get('/sw.js', (c) => {
    // The worker keeps the page and every module for offline opens: it is told their names.
    const asset = once('/sw.js', () => {
      const files = readdirSync(assetsDir).map((f) => `/assets/${f}`);
      const text = web('static/sw.js')
        .toString('utf8')
        .replace('const ASSETS = [];', () => `const ASSETS = ${JSON.stringify(files)};`);
      return loaded(Buffer.from(text), JS);
    });
    return asset ? send(c, asset, { 'service-worker-allowed': '/' }) : notBuilt(c);
  });
  app.get('/assets/:file', (c) => {
    const file = c.req.param('file');
    const asset = /^[\w-]+\.js$/.test(file)
      ? once(`/assets/${file}`, () => loaded(readFileSync(join(assetsDir, file)), JS))
      : undefined;
    if (asset) return send(c, asset, { 'cache-control': IMMUTABLE });
    cache.delete(`/assets/${file}`); // an unknown name is not remembered
    return c.json({ ok: false, error: { code: 'not_found', message: `no such file: /assets/${file}` } }, 404);
  });
  return { basePath: '/', app, openapi: {}, public: true };
}
