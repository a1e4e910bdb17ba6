// Serves the phone app: the shell, its bundle (dist/web/app.js), styles, manifest, icons and the
// service worker, all from the hub itself (a phone at home may have no internet). No token is
// needed for these files; every API call they make needs one.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import type { ApiEnv, ApiModule } from '../api/route-module.js';
import { packageRoot } from '../version.js';

const ASSETS: Record<string, { file: string; type: string }> = {
  '/': { file: 'static/index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'static/index.html', type: 'text/html; charset=utf-8' },
  '/app.css': { file: 'static/app.css', type: 'text/css; charset=utf-8' },
  '/sw.js': { file: 'static/sw.js', type: 'text/javascript; charset=utf-8' },
  '/manifest.webmanifest': { file: 'static/manifest.webmanifest', type: 'application/manifest+json' },
  '/icon-192.png': { file: 'static/icon-192.png', type: 'image/png' },
  '/icon-512.png': { file: 'static/icon-512.png', type: 'image/png' },
  '/app.js': { file: 'BUNDLE', type: 'text/javascript; charset=utf-8' },
};

export function createWebModule(): ApiModule {
  const root = packageRoot();
  const cache = new Map<string, Buffer>();
  const load = (file: string): Buffer | undefined => {
    const path = file === 'BUNDLE' ? join(root, 'dist/web/app.js') : join(root, 'hub/web', file);
    let body = cache.get(path);
    if (!body) {
      try {
        body = readFileSync(path);
      } catch {
        return undefined;
      }
      cache.set(path, body);
    }
    return body;
  };
  const app = new Hono<ApiEnv>();
  for (const [path, asset] of Object.entries(ASSETS)) {
    app.get(path, (c) => {
      const body = load(asset.file);
      if (!body)
        return c.json(
          {
            ok: false,
            error: { code: 'not_found', message: 'the phone app is not built: run npm run build' },
          },
          404,
        );
      return c.body(new Uint8Array(body), 200, {
        'content-type': asset.type,
        // Revalidate every time: the service worker is what keeps the shell for offline use.
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
        ...(asset.type.startsWith('text/html')
          ? {
              'content-security-policy':
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'",
            }
          : {}),
        ...(path === '/sw.js' ? { 'service-worker-allowed': '/' } : {}),
      });
    });
  }
  return { basePath: '/', app, openapi: {}, public: true };
}
