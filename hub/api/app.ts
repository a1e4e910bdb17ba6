// The HTTP API: mounts each resource module, guards all but the public ones with a token, maps
// every error to one envelope, and serves the OpenAPI document assembled from the modules.
import { Hono, type MiddlewareHandler } from 'hono';
import type { Logger } from '../infra/log.js';
import type { Metrics } from '../infra/metrics.js';
import { hearthVersion } from '../infra/version.js';
import type { TokenService } from '../security/token-service.js';
import { requireToken } from './auth.js';
import { createErrorHandler } from './errors.js';
import { limitBody } from './request-body.js';
import type { ApiEnv, ApiModule, OpenApiPaths } from './route-module.js';

export interface ApiDeps {
  log: Logger;
  metrics: Metrics;
  tokens: TokenService;
  modules: () => ApiModule[];
  /** Runs before every route (the plain-HTTP first-contact gate). */
  gate?: MiddlewareHandler<ApiEnv>;
}

export function createApiApp({ log, metrics, tokens, modules, gate }: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const errorsByCode = metrics.counter(
    'hearth_api_errors_total',
    'API requests answered with an error, by code',
  );
  const requests = metrics.counter('hearth_api_requests_total', 'API requests, by method');

  app.use('*', async (c, next) => {
    requests.inc({ method: c.req.method });
    await next();
  });
  app.use('*', limitBody(Object.assign({}, ...modules().map((m) => m.bodyLimits ?? {}))));
  app.onError(createErrorHandler(log.child({ module: 'api' }), (code) => errorsByCode.inc({ code })));
  app.notFound((c) =>
    c.json(
      { ok: false, error: { code: 'not_found', message: `no route ${c.req.method} ${c.req.path}` } },
      404,
    ),
  );

  if (gate) app.use('*', gate);
  const guard = requireToken(tokens);
  const all = modules();
  // Public modules first, so their routes answer before the token guard of a broader mount.
  for (const m of [...all].sort((a, b) => Number(b.public ?? false) - Number(a.public ?? false))) {
    if (!m.public) {
      for (const path of Object.keys(m.openapi)) app.use(path.replace(/\{(\w+)\}/g, ':$1'), guard);
      if (m.basePath !== '/') {
        app.use(m.basePath, guard);
        app.use(`${m.basePath}/*`, guard);
      }
    }
    app.route(m.basePath, m.app);
  }
  return app;
}

export function openApiDocument(modules: ApiModule[]): Record<string, unknown> {
  const paths: OpenApiPaths = {};
  for (const m of modules) Object.assign(paths, m.openapi);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Hearth hub API',
      version: hearthVersion(),
      description:
        'Local-first smart-home hub. Errors are { ok: false, error: { code, message, details? } } with stable codes.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer' },
        cookieAuth: { type: 'apiKey', in: 'cookie', name: 'hearth_token' },
        deviceBasic: { type: 'http', scheme: 'basic', description: 'a device: its id and MQTT secret' },
      },
    },
    security: [{ bearerAuth: [] }, { cookieAuth: [] }],
    paths,
  };
}
