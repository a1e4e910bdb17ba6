import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv, loadConfig } from '../../../hub/infra/config.js';

const dir = () => mkdtempSync(join(tmpdir(), 'hearth-config-'));

describe('config: defaults < file < HEARTH_* env < flags', () => {
  it('has working defaults with nothing given', () => {
    const d = dir();
    const c = loadConfig({ flags: { dataDir: d }, env: {} });
    expect(c).toMatchObject({
      dataDir: d,
      httpPort: 8080,
      mqttPort: 1883,
      bind: '0.0.0.0',
      logLevel: 'info',
    });
    expect(c.commands.waitMs).toBe(3000);
    expect(c.mdns.enabled).toBe(true);
  });

  it('defaults the data directory to a per-user path', () => {
    expect(loadConfig({ env: { XDG_DATA_HOME: '/x/share' } }).dataDir).toBe('/x/share/hearth');
  });

  it('each layer overrides the one below', () => {
    const d = dir();
    writeFileSync(
      join(d, 'config.json'),
      JSON.stringify({ httpPort: 1111, mqttPort: 2222, logLevel: 'warn', commands: { waitMs: 100 } }),
    );
    const fileOnly = loadConfig({ flags: { dataDir: d }, env: {} });
    expect(fileOnly).toMatchObject({ httpPort: 1111, mqttPort: 2222, logLevel: 'warn' });
    const withEnv = loadConfig({
      flags: { dataDir: d },
      env: { HEARTH_HTTP_PORT: '3333', HEARTH_COMMANDS__WAIT_MS: '250' },
    });
    expect(withEnv).toMatchObject({ httpPort: 3333, mqttPort: 2222 });
    expect(withEnv.commands.waitMs).toBe(250);
    const withFlags = loadConfig({
      flags: { dataDir: d, httpPort: 4444 },
      env: { HEARTH_HTTP_PORT: '3333' },
    });
    expect(withFlags.httpPort).toBe(4444);
  });

  it('reads nested env names and JSON values', () => {
    expect(
      configFromEnv({
        HEARTH_MDNS__ENABLED: 'false',
        HEARTH_BIND: '127.0.0.1',
        OTHER: 'x',
        HEARTH_TOKEN: 'for the CLI',
      }),
    ).toEqual({
      mdns: { enabled: false },
      bind: '127.0.0.1',
    });
  });

  it('a bad config lists every problem in plain words', () => {
    const d = dir();
    let error: ConfigError | undefined;
    try {
      loadConfig({
        flags: { dataDir: d, httpPort: 70000, logLevel: 'loud' },
        env: { HEARTH_MQTT_PORT: 'abc' },
      });
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.problems.map((p) => p.split(':')[0]).sort()).toEqual(['httpPort', 'logLevel', 'mqttPort']);
  });

  it('refuses an unknown setting, an explicit missing file and a file that is not JSON', () => {
    const d = dir();
    expect(() => loadConfig({ flags: { dataDir: d, colour: 'blue' }, env: {} })).toThrow(ConfigError);
    expect(() => loadConfig({ flags: { dataDir: d, config: join(d, 'nope.json') }, env: {} })).toThrow(
      /does not exist/,
    );
    writeFileSync(join(d, 'config.json'), '{ not json');
    expect(() => loadConfig({ flags: { dataDir: d }, env: {} })).toThrow(/not valid JSON/);
  });
});
