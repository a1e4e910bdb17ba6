// The hub's web front: HTTPS always (the API, the app, MQTT over WebSocket) with the hub's own
// certificate, renewed in place; plain HTTP for first contact unless `http.plain` is off. One hono
// app serves both; on plain HTTP from the LAN the first-contact gate lets only pairing and the CA
// through.
import type { Hono } from 'hono';
import { isPlainFromLan } from './api/plain-gate.js';
import type { ApiEnv } from './api/route-module.js';
import type { BrokerUnit } from './broker/index.js';
import { createHttpServer } from './http-server.js';
import type { Config } from './infra/config.js';
import type { Unit } from './infra/unit.js';
import type { HubTls } from './tls/hub-tls.js';

export interface WebListeners {
  https: number;
  /** 0 when http.plain is off. */
  http: number;
  /** To stop in reverse order of opening. */
  units: Unit[];
}

export async function openWebListeners(deps: {
  config: Config;
  app: Hono<ApiEnv>;
  broker: Pick<BrokerUnit, 'attachWebSocket'>;
  tls: HubTls;
}): Promise<WebListeners> {
  const { config, app, broker, tls } = deps;
  const units: Unit[] = [];
  const https = createHttpServer(app, tls.serverOptions());
  broker.attachWebSocket(https.server, '/mqtt');
  const httpsPort = await https.listen(config.httpsPort, config.bind);
  units.push({ name: 'https', start: () => undefined, stop: () => https.close() });
  tls.onRenewed((o) => https.renew(o));
  let httpPort = 0;
  if (config.http.plain) {
    const http = createHttpServer(app);
    // MQTT over WebSocket on plain HTTP only from this machine: a device secret in clear on the LAN.
    broker.attachWebSocket(http.server, '/mqtt', (req) => !isPlainFromLan(req));
    try {
      httpPort = await http.listen(config.httpPort, config.bind);
    } catch (err) {
      await https.close();
      throw err;
    }
    units.push({ name: 'http', start: () => undefined, stop: () => http.close() });
  }
  return { https: httpsPort, http: httpPort, units };
}

/** The one line a person reads at start: every listener and the CA fingerprint to compare. */
export function readyLine(
  bind: string,
  ports: { http: number; https: number; mqtt: number; mqttTls: number },
  fingerprint: string,
): string {
  const urls = [
    ports.http && `http://${bind}:${ports.http}`,
    `https://${bind}:${ports.https}`,
    ports.mqtt && `mqtt://${bind}:${ports.mqtt}`,
    `mqtts://${bind}:${ports.mqttTls}`,
  ];
  return `hub ready: ${urls.filter(Boolean).join('  ')}  CA SHA-256 ${fingerprint}`;
}
