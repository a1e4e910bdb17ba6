// The hub's TLS listeners on loopback, with real clients: node's https and tls, mqtt.js over
// mqtts and wss, and Debian's mosquitto_sub as an outside judge. A client that trusts the hub CA
// gets in; one that trusts another CA does not; switched-off plain listeners are really closed.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { join } from 'node:path';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../hub/drills/cloud-broker.js';
import { createCa } from '../../../hub/tls/ca.js';
import { startTestHub, type TestHub } from '../../support/hub.js';

const httpsGet = (port: number, path: string, ca: string) =>
  new Promise<{ status: number; type: string; body: Buffer }>((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, ca, servername: 'localhost' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          type: String(res.headers['content-type']),
          body: Buffer.concat(chunks),
        }),
      );
    }).on('error', reject);
  });

describe('HTTPS and MQTT over TLS', () => {
  let t: TestHub;
  let ca: string;
  beforeAll(async () => {
    t = await startTestHub();
    ca = t.hub.tls.caPem;
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('lists every port and the CA fingerprint in runtime.json and GET /api/v1/hub', async () => {
    const info = JSON.parse(readFileSync(join(t.dataDir, 'runtime.json'), 'utf8'));
    const { http, mqtt: mqttPort, https, mqttTls } = t.hub.ports;
    expect(info).toMatchObject({ httpPort: http, mqttPort, httpsPort: https, mqttTlsPort: mqttTls });
    expect(info.caFingerprint).toBe(t.hub.tls.fingerprint);
    expect(https).toBeGreaterThan(0);
    const hub = await httpsGet(https, '/api/v1/hub', ca);
    expect(hub.status).toBe(200);
    expect(JSON.parse(hub.body.toString())).toMatchObject({
      httpsPort: https,
      caFingerprint: t.hub.tls.fingerprint,
    });
  });

  it('serves the app and the CA for phones: PEM, DER and an iOS profile holding the same certificate', async () => {
    const https = t.hub.ports.https;
    const shell = await httpsGet(https, '/', ca);
    expect(shell.status).toBe(200);
    expect(shell.body.toString()).toContain('manifest.webmanifest');
    const pem = await httpsGet(https, '/ca.crt', ca);
    expect(pem.type).toBe('application/x-x509-ca-cert');
    expect(pem.body.toString()).toBe(ca);
    const fp = (input: Buffer, form: string) =>
      execFileSync('openssl', ['x509', '-inform', form, '-noout', '-fingerprint', '-sha256'], {
        input,
      }).toString();
    const der = await httpsGet(https, '/ca.der', ca);
    expect(fp(der.body, 'DER')).toBe(fp(Buffer.from(ca), 'PEM'));
    const profile = await httpsGet(t.hub.ports.http, '/ca.mobileconfig', ca).catch(() => null);
    expect(profile).toBeNull(); // plain HTTP is not HTTPS
    const res = await fetch(`${t.baseUrl}/ca.mobileconfig`);
    expect(res.headers.get('content-type')).toBe('application/x-apple-aspen-config');
    const xml = await res.text();
    expect(xml).toContain('<string>com.apple.security.root</string>');
    const data = /<data>([^<]+)<\/data>/.exec(xml)?.[1] ?? '';
    expect(fp(Buffer.from(data, 'base64'), 'DER')).toBe(fp(Buffer.from(ca), 'PEM'));
  });

  it('a device that trusts the hub CA connects over mqtts; mosquitto_sub reads its state over TLS', async () => {
    const { id, secret, client: plain } = await t.connectDevice('tv');
    await plain.endAsync();
    const device = await mqtt.connectAsync(`mqtts://127.0.0.1:${t.hub.ports.mqttTls}`, {
      clientId: id,
      username: id,
      password: secret,
      ca,
      reconnectPeriod: 0,
    });
    await device.publishAsync(`hearth/dev/${id}/state`, JSON.stringify({ seq: 1, values: { power: true } }), {
      qos: 1,
      retain: true,
    });
    const caFile = join(t.dataDir, 'ca-copy.crt');
    writeFileSync(caFile, ca);
    const sub = spawn('mosquitto_sub', [
      ...['-h', '127.0.0.1', '-p', String(t.hub.ports.mqttTls), '--cafile', caFile],
      ...['-u', 'token', '-P', t.token, '-t', `hearth/dev/${id}/state`, '-C', '1', '-W', '10'],
    ]);
    let out = '';
    sub.stdout.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => sub.once('exit', resolve));
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ seq: 1 });
    await device.endAsync();
  });

  it('a device that trusts another CA cannot connect; nor can one that skips TLS on the TLS port', async () => {
    const { id, secret } = await t.connectDevice('tv');
    const other = await createCa();
    const outcome = (url: string, extra: mqtt.IClientOptions) =>
      new Promise<string>((resolve) => {
        const c = mqtt.connect(url, {
          clientId: id,
          username: id,
          password: secret,
          reconnectPeriod: 0,
          ...extra,
        });
        const done = (what: string) => {
          c.end(true);
          resolve(what);
        };
        c.once('connect', () => done('connected'));
        c.once('error', (err) => done(`error: ${err.message}`));
        c.once('close', () => done('closed'));
      });
    const tlsPort = t.hub.ports.mqttTls;
    expect(await outcome(`mqtts://127.0.0.1:${tlsPort}`, { ca: other.certPem })).toMatch(
      /error: unable to verify the first certificate/,
    );
    expect(await outcome(`mqtt://127.0.0.1:${tlsPort}`, {})).not.toBe('connected');
    expect(await outcome(`mqtts://127.0.0.1:${tlsPort}`, { ca })).toBe('connected');
  });

  it('MQTT over WebSocket works over HTTPS (wss) with the hub CA', async () => {
    const reader = await mqtt.connectAsync(`wss://127.0.0.1:${t.hub.ports.https}/mqtt`, {
      clientId: 'wss-reader',
      username: 'token',
      password: t.token,
      ca,
      servername: 'localhost',
      reconnectPeriod: 0,
    } as mqtt.IClientOptions);
    expect(reader.connected).toBe(true);
    await reader.endAsync();
  });

  it('resumes TLS sessions, also after the hub restarts (session tickets kept in the data directory)', async () => {
    const handshake = (port: number, session?: Buffer) =>
      new Promise<{ reused: boolean; session: Buffer }>((resolve, reject) => {
        const s: TLSSocket = tlsConnect({
          host: '127.0.0.1',
          port,
          ca,
          servername: 'localhost',
          ...(session ? { session } : {}),
        });
        // A TLS 1.3 ticket may come before or after secureConnect; a resumed session reuses the one
        // it was given.
        let ticket: Buffer | undefined;
        const finish = () => {
          resolve({ reused: s.isSessionReused(), session: ticket ?? (session as Buffer) });
          s.destroy();
        };
        s.on('session', (next: Buffer) => {
          ticket = next;
          if (s.isSessionReused() || s.getProtocol()) finish();
        });
        s.once('secureConnect', () => {
          if (ticket || s.isSessionReused()) finish();
        });
        s.once('error', reject);
      });
    const first = await handshake(t.hub.ports.mqttTls);
    expect(first.reused).toBe(false);
    const second = await handshake(t.hub.ports.mqttTls, first.session);
    expect(second.reused).toBe(true);
    const dataDir = t.dataDir;
    await t.stop();
    const again = await startTestHub({ dataDir });
    try {
      expect((await handshake(again.hub.ports.mqttTls, second.session)).reused).toBe(true);
    } finally {
      await again.stop();
    }
  });
});

describe('plain listeners switched off', () => {
  it('mqtt.plain and http.plain false: nothing listens on the plain ports; TLS still serves', async () => {
    const [mqttPort, httpPort] = [await freePort(), await freePort()];
    const t = await startTestHub({
      config: { mqttPort, httpPort, mqtt: { plain: false }, http: { plain: false } },
    });
    try {
      expect(t.hub.ports).toMatchObject({ mqtt: 0, http: 0 });
      await expect(
        mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { reconnectPeriod: 0, connectTimeout: 3000 }),
      ).rejects.toThrow(/ECONNREFUSED/);
      await expect(fetch(`http://127.0.0.1:${httpPort}/api/v1/hub`)).rejects.toThrow();
      const hub = await httpsGet(t.hub.ports.https, '/api/v1/hub', t.hub.tls.caPem);
      expect(hub.status).toBe(200);
      const info = JSON.parse(readFileSync(join(t.dataDir, 'runtime.json'), 'utf8'));
      expect(info).toMatchObject({ httpPort: 0, mqttPort: 0 });
    } finally {
      await t.cleanup();
    }
  });
});
