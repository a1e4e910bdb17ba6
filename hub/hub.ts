// The composition root: builds every unit in order and stops them in reverse. Nothing here runs
// at import; `createHub(config)` only wires, `start()` does the work.
import { deviceTopic, hubTopic, isDeviceId } from '../shared/topics.js';
import { createApiApp, openApiDocument } from './api/app.js';
import { plainHttpGate } from './api/plain-gate.js';
import type { ApiModule, ApiUnit } from './api/route-module.js';
import { createDevicesModule } from './api/routes/devices.js';
import { createEventsModule } from './api/routes/events.js';
import { createMqttUsersModule } from './api/routes/mqtt-users.js';
import { createPairingModule } from './api/routes/pairing.js';
import { createSystemModule, type HealthReport } from './api/routes/system.js';
import { createTokensModule } from './api/routes/tokens.js';
import type { BrokerUnit } from './broker/index.js';
import { createEventBus } from './core/bus.js';
import { createCommandPath } from './core/commands/command-path.js';
import type { CoreContext, HubContext } from './core/context.js';
import { createInboundRouter } from './core/inbound-router.js';
import { createDeviceRegistry } from './core/registry/device-registry.js';
import { createShadowIngest } from './core/shadow/shadow-ingest.js';
import { featureFactories } from './features.js';
import { registerHubGauges } from './hub-gauges.js';
import { type Clock, systemClock } from './infra/clock.js';
import type { Config } from './infra/config.js';
import { acquireHubLock, type HubLock } from './infra/hub-lock.js';
import { createLogger, type Logger } from './infra/log.js';
import { createMetrics } from './infra/metrics.js';
import { type RuntimeInfo, removeRuntimeInfo, writeRuntimeInfo } from './infra/runtime-file.js';
import type { Unit } from './infra/unit.js';
import { hearthVersion } from './infra/version.js';
import { ensurePrivateDir, makeDataDirPrivate } from './ops/private-files.js';
import { announcePairing } from './pairing-announcement.js';
import { createMqttUserService } from './security/mqtt-users.js';
import { createPairingService } from './security/pairing.js';
import { type FirstContact, lanAddress } from './security/pairing-url.js';
import { createRevocationWatch } from './security/revocation-watch.js';
import { createTokenService, type TokenService } from './security/token-service.js';
import { createCheckpointer } from './store/checkpointer.js';
import { openStore, type Store, storePath } from './store/db.js';
import { createRepositories } from './store/repositories.js';
import { createWriteBatcher } from './store/write-batcher.js';
import { createHubTls, type HubTls } from './tls/hub-tls.js';
import { createTrustModule } from './tls/trust-module.js';
import { createWebModule } from './web/web-module.js';
import { openWebListeners, readyLine } from './web-listeners.js';

export interface HubOptions {
  log?: Logger;
  clock?: Clock;
  /** Print the pairing code (and QR) to this stream when no phone is paired yet. */
  pairingOutput?: NodeJS.WritableStream | null;
}

export interface Hub {
  readonly config: Config;
  readonly log: Logger;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Ports actually bound (after start); 0 for a listener switched off. */
  readonly ports: { http: number; mqtt: number; https: number; mqttTls: number };
  /** The hub CA and certificate (after start). */
  readonly tls: HubTls;
  /** The wired context, for tests and the CLI (after start). */
  readonly context: CoreContext;
  readonly tokens: TokenService;
}

export function createHub(config: Config, options: HubOptions = {}): Hub {
  const log = options.log ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  const bus = createEventBus(log.child({ module: 'bus' }));
  const metrics = createMetrics();
  const started: ApiUnit[] = [];
  const ports = { http: 0, mqtt: 0, https: 0, mqttTls: 0 };
  const tls = createHubTls({ config, log, clock }, { checkMs: config.tls.checkMs });
  let core: CoreContext | undefined;
  let tokenService: TokenService | undefined;
  let lock: HubLock | undefined;
  let written: RuntimeInfo | undefined;
  let brokerUnit: BrokerUnit | undefined;

  async function startUnit(unit: ApiUnit): Promise<void> {
    const t0 = performance.now();
    await unit.start();
    started.push(unit);
    log.debug({ unit: unit.name, ms: Math.round(performance.now() - t0) }, 'unit started');
  }

  async function start(): Promise<void> {
    const t0 = performance.now();
    ensurePrivateDir(config.dataDir);
    // Before anything touches the data directory: a second hub on it stops here.
    lock = await acquireHubLock(config.dataDir, clock.now());
    const store: Store = openStore(storePath(config.dataDir));
    makeDataDirPrivate(config.dataDir);
    started.push({ name: 'store', start: () => undefined, stop: () => store.close() });
    const writes = createWriteBatcher(store.sqlite, log.child({ module: 'store' }));
    started.push({ name: 'write-batcher', start: () => undefined, stop: () => writes.flush() });
    const repos = createRepositories(store, clock);
    const base: HubContext = { config, log, bus, metrics, clock, store, repos, writes };
    await startUnit(createCheckpointer(base));
    await startUnit(tls);
    const tokens = createTokenService(store, clock, (tokenId) => bus.emit('token.changed', { tokenId }));
    tokenService = tokens;
    const mqttUsers = createMqttUserService(store, clock, (name) => bus.emit('mqtt-user.removed', { name }));
    await startUnit(createRevocationWatch([tokens, mqttUsers]));
    const pairing = createPairingService(base, tokens);

    // The broker authenticates against the registry, which publishes through the broker: build
    // both, then start the broker once the registry has loaded.
    let registryRef: ReturnType<typeof createDeviceRegistry> | undefined;
    // In mosquitto mode the hub runs no broker: mosquitto authenticates, from what dynsec-sync keeps there.
    // Each mode's code (aedes, or the MQTT client and dynsec) is imported only in that mode.
    const mosquittoCode = config.broker.mode === 'mosquitto' ? await importMosquittoMode() : undefined;
    const mosquitto = mosquittoCode?.createMosquittoBroker(base);
    const broker =
      mosquitto ??
      (await import('./broker/index.js')).createBroker(base, {
        verifyDevice: (id, secret) => registryRef?.verifySecret(id, secret) ?? false,
        verifyToken: (token) => tokens.verify(token),
        verifyIntegration: (name, password) => mqttUsers.verify(name, password),
      });
    const registry = createDeviceRegistry({
      ctx: base,
      messaging: broker.messaging,
      kick: (clientId) => broker.kick(clientId),
    });
    // A device is online once it listens for commands (its cmd subscription is in place, so
    // nothing sent to it is lost) or says so; offline when its will fires or its connection goes.
    broker.onSubscribed((clientId, filters) => {
      if (isDeviceId(clientId) && filters.includes(deviceTopic(clientId, 'cmd')))
        registry.setAvailability(clientId, true);
    });
    broker.onClient((clientId, connected) => {
      if (!connected) registry.setAvailability(clientId, false);
    });
    registryRef = registry;
    registry.load();
    const mosquittoMode =
      mosquitto && mosquittoCode?.createMosquittoMode(base, mosquitto, { registry, tokens, mqttUsers });
    await startUnit(broker);
    brokerUnit = broker;
    if (mosquittoMode) await startUnit(mosquittoMode.unit);

    const { commands, twin } = createCommandPath(base, broker.messaging, registry);
    const inbound = createInboundRouter(base, broker.messaging, registry, {
      ...createShadowIngest(base, registry),
      ack: commands.ackChannel,
    });
    await startUnit({ name: 'inbound', start: () => inbound.start(), stop: () => inbound.stop() });
    await startUnit({ name: 'commands', start: () => commands.start(), stop: () => commands.stop() });
    await startUnit({ name: 'twin', start: () => twin.start(), stop: () => twin.stop() });
    const trust = { caPem: tls.caPem, mqttTlsPort: () => ports.mqttTls };
    core = { ...base, messaging: broker.messaging, registry, commands, ports, trust };
    if (mosquittoMode) core.credentialsSettled = () => mosquittoMode.settled();
    const ctx = core;
    registerHubGauges(metrics, { registry, commands });

    for (const factory of featureFactories) {
      const units = await factory(ctx);
      for (const unit of Array.isArray(units) ? units : [units]) await startUnit(unit);
    }

    // Every in-process subscriber (shadow, commands, scheduler, provisioning, plugins) is in place:
    // now devices may connect.
    await broker.listen();
    await broker.listenTls(tls.serverOptions());
    tls.onRenewed((o) => broker.renewTls(o));
    ports.mqtt = broker.port;
    ports.mqttTls = broker.tlsPort;
    const featureModules = started.flatMap((u) => u.apiModules ?? []);
    const health = () => healthReport({ store, broker, registry, ports, units: started });
    const firstContact = (): FirstContact =>
      config.http.plain
        ? { scheme: 'http', port: ports.http, caFingerprint: tls.fingerprintHex }
        : { scheme: 'https', port: ports.https, caFingerprint: tls.fingerprintHex };
    const httpsUrl = (host: string) =>
      `https://${host.replace(/:\d+$/, '') || lanAddress(config.bind)}:${ports.https}/`;
    const modules: ApiModule[] = [];
    modules.push(
      createWebModule({ hubName: config.hubName, isSession: (token) => tokens.verify(token) !== null }),
      createTrustModule(tls, config.hubName),
      createPairingModule(
        ctx,
        pairing,
        tokens,
        () => ({
          httpsPort: ports.https,
          caFingerprint: tls.fingerprint,
        }),
        httpsUrl,
      ),
      createTokensModule(ctx, tokens, pairing, firstContact),
      // With no MQTT over TLS (mosquitto without broker.tlsPort) no CA: the device must not insist on TLS.
      createDevicesModule(ctx, () => ({
        port: ports.mqtt,
        tlsPort: ports.mqttTls,
        ...(ports.mqttTls > 0 ? { ca: tls.caPem } : {}),
      })),
      createEventsModule(ctx),
      createMqttUsersModule(mqttUsers),
      ...featureModules,
      createSystemModule(ctx, health, () => openApiDocument(modules)),
    );
    const app = createApiApp({ log, metrics, tokens, modules: () => modules, gate: plainHttpGate(httpsUrl) });
    const web = await openWebListeners({ config, app, broker, tls });
    ports.https = web.https;
    ports.http = web.http;
    started.push(...web.units);
    // Announced once the ports are known; stopped (goodbye packets) before the HTTP server closes.
    // The mDNS library is imported only when mDNS is on.
    if (config.mdns.enabled) {
      const { createMdnsAdvertiser } = await import('./discovery/advertiser.js');
      await startUnit(
        createMdnsAdvertiser(base, {
          httpPort: () => ports.http,
          mqttPort: () => ports.mqtt,
          httpsPort: () => ports.https,
          mqttTlsPort: () => ports.mqttTls,
          caFingerprint: () => tls.fingerprintHex,
        }),
      );
    }

    await broker.messaging.publish(hubTopic('status'), 'online', { retain: true, qos: 1 });
    lock.update({
      bind: config.bind,
      httpPort: ports.http,
      mqttPort: ports.mqtt,
      httpsPort: ports.https,
      mqttTlsPort: ports.mqttTls,
    });
    written = {
      pid: process.pid,
      startedAt: clock.now(),
      bind: config.bind,
      httpPort: ports.http,
      mqttPort: ports.mqtt,
      httpsPort: ports.https,
      mqttTlsPort: ports.mqttTls,
      caFingerprint: tls.fingerprint,
      hubId: config.hubName,
      version: hearthVersion(),
    };
    writeRuntimeInfo(config.dataDir, written);
    log.info(
      {
        dataDir: config.dataDir,
        ...ports,
        caFingerprint: tls.fingerprint,
        ms: Math.round(performance.now() - t0),
      },
      readyLine(config.bind, ports, tls.fingerprint),
    );
    if (tokens.count() === 0 && options.pairingOutput !== null) {
      await announcePairing(
        ctx,
        pairing,
        { ...firstContact(), fingerprint: tls.fingerprint },
        options.pairingOutput ?? process.stdout,
      );
    }
  }

  return {
    config,
    log,
    ports,
    get context() {
      if (!core) throw new Error('hub not started');
      return core;
    },
    tls,
    get tokens() {
      if (!tokenService) throw new Error('hub not started');
      return tokenService;
    },
    async start() {
      try {
        await start();
      } catch (err) {
        await this.stop();
        throw err;
      }
    },
    async stop() {
      const messaging = core?.messaging;
      if (messaging && started.some((u) => u.name === 'broker')) {
        await messaging
          .publish(hubTopic('status'), 'offline', { retain: true, qos: 1 })
          .catch(() => undefined);
      }
      brokerUnit?.stopping?.();
      brokerUnit = undefined;
      while (started.length > 0) {
        const unit = started.pop() as Unit;
        try {
          await unit.stop();
        } catch (err) {
          log.error({ err, unit: unit.name }, 'unit failed to stop cleanly');
        }
      }
      // Only the hub that wrote runtime.json removes it, and before it lets go of the lock.
      if (written) removeRuntimeInfo(config.dataDir, written);
      written = undefined;
      await lock?.release();
      lock = undefined;
      log.info('hub stopped');
    },
  };
}

async function importMosquittoMode() {
  const [{ createMosquittoBroker }, { createMosquittoMode }] = await Promise.all([
    import('./broker/mosquitto/mosquitto-broker.js'),
    import('./broker/mosquitto/mosquitto-mode.js'),
  ]);
  return { createMosquittoBroker, createMosquittoMode };
}

/** GET /api/v1/health: the store, the broker and its listeners, the devices, and every unit's own. */
function healthReport(parts: {
  store: Store;
  broker: { clientCount(): number };
  registry: { list(): unknown[]; onlineCount(): number };
  ports: { mqtt: number; mqttTls: number };
  units: readonly Unit[];
}): HealthReport {
  const { store, broker, registry, ports } = parts;
  const report: HealthReport = {
    store: { ok: store.sqlite.open },
    broker: { ok: true, detail: { clients: broker.clientCount(), port: ports.mqtt, tlsPort: ports.mqttTls } },
    devices: { ok: true, detail: { registered: registry.list().length, online: registry.onlineCount() } },
  };
  for (const u of parts.units) if (u.health) report[u.name] = u.health();
  return report;
}
