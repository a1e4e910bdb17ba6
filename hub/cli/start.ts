// `hearth start`: parse flags into the config, start the hub, stop it cleanly on SIGINT/SIGTERM.
import { type CommandSpec, parseCommand, runCommand } from '../../shared/cli.js';
import { createHub } from '../hub.js';
import { ConfigError, loadConfig } from '../infra/config.js';
import { HubLockedError } from '../infra/hub-lock.js';

const spec: CommandSpec = {
  usage: 'hearth start [options]',
  summary: 'Run the hub: MQTT broker, HTTP API and phone app, schedules. Embedded defaults need no options.',
  options: {
    'data-dir': {
      type: 'string',
      value: 'DIR',
      description: 'where the database and keys live (HEARTH_DATA_DIR)',
    },
    'http-port': {
      type: 'string',
      value: 'PORT',
      description: 'HTTP API and phone app port, 0 = any free (HEARTH_HTTP_PORT, default 8080)',
    },
    'mqtt-port': {
      type: 'string',
      value: 'PORT',
      description: 'MQTT port, 0 = any free (HEARTH_MQTT_PORT, default 1883)',
    },
    'https-port': {
      type: 'string',
      value: 'PORT',
      description:
        'HTTPS port (API, app, MQTT over WebSocket), 0 = any free (HEARTH_HTTPS_PORT, default 8443)',
    },
    'mqtt-tls-port': {
      type: 'string',
      value: 'PORT',
      description: 'MQTT over TLS port, 0 = any free (HEARTH_MQTT_TLS_PORT, default 8883)',
    },
    bind: {
      type: 'string',
      value: 'ADDR',
      description: 'address to listen on (HEARTH_BIND, default 0.0.0.0)',
    },
    'log-level': {
      type: 'string',
      value: 'LEVEL',
      description: 'fatal|error|warn|info|debug|trace|silent (HEARTH_LOG_LEVEL)',
    },
    broker: {
      type: 'string',
      value: 'MODE',
      description: 'embedded|mosquitto: run the broker, or use a mosquitto 2.x (HEARTH_BROKER__MODE)',
    },
    'broker-url': {
      type: 'string',
      value: 'URL',
      description: 'mqtt://HOST:PORT of that mosquitto (HEARTH_BROKER__URL)',
    },
    'no-mdns': { type: 'boolean', description: 'do not announce the hub on the LAN with mDNS' },
    config: {
      type: 'string',
      value: 'FILE',
      description: 'JSON config file (HEARTH_CONFIG, default <data-dir>/config.json)',
    },
  },
  notes: ['Precedence: defaults < config file < HEARTH_* environment < flags.'],
};

export function flagsToConfig(values: Record<string, unknown>): Record<string, unknown> {
  const num = (v: unknown) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v);
  return {
    dataDir: values['data-dir'],
    httpPort: num(values['http-port']),
    mqttPort: num(values['mqtt-port']),
    httpsPort: num(values['https-port']),
    mqttTlsPort: num(values['mqtt-tls-port']),
    bind: values.bind,
    logLevel: values['log-level'],
    config: values.config,
    ...(values['no-mdns'] ? { mdns: { enabled: false } } : {}),
    ...(values.broker !== undefined || values['broker-url'] !== undefined
      ? { broker: { mode: values.broker, url: values['broker-url'] } }
      : {}),
  };
}

export function run(args: string[]): Promise<number> {
  return runCommand(async () => {
    const parsed = parseCommand(spec, args);
    if (!parsed) return 0;
    let config: ReturnType<typeof loadConfig>;
    try {
      config = loadConfig({ flags: flagsToConfig(parsed.values) });
    } catch (err) {
      if (err instanceof ConfigError) {
        process.stderr.write(`hearth: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
    const hub = createHub(config);
    hub.log.info({ dataDir: config.dataDir }, `data directory: ${config.dataDir}`);
    // Listening for signals before starting: one that arrives while the hub starts (systemd
    // stopping it early, a test that saw the first log lines) stops it cleanly once it is up,
    // instead of killing it half-way.
    const signalled = new Promise<string>((resolve) => {
      const stop = (signal: string) => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve(signal);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    try {
      await hub.start();
    } catch (err) {
      if (!(err instanceof HubLockedError)) throw err;
      process.stderr.write(`hearth: ${err.message}\n`);
      return 1;
    }
    const signal = await signalled;
    hub.log.info({ signal }, 'stopping');
    await hub.stop().catch((err: unknown) => hub.log.error({ err }, 'stop failed'));
    return 0;
  });
}
