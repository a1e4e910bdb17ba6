import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startCloudBroker } from '../../../hub/drills/cloud-broker.js';
import { readRuntimeInfo } from '../../../hub/infra/runtime-file.js';
import { killAll, runHearth, spawnHearth } from '../../devices/support/processes.js';
import { waitFor } from '../../support/wait.js';

const COUNT = 10_000;

describe('cloud outbox across kill -9', () => {
  afterAll(killAll);

  it(`keeps ${COUNT} queued changes through SIGKILL and delivers them all, in order`, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hearth-kill-'));
    const port = await freePort();
    writeFileSync(
      join(dataDir, 'config.json'),
      JSON.stringify({
        plugins: {
          'cloud-sync': {
            url: `mqtt://127.0.0.1:${port}`,
            ratePerSecond: 0,
            backoffMaxMs: 300,
            breakerHalfOpenMs: 300,
            topicPrefix: 'hearth/k',
          },
        },
      }),
    );
    const args = [
      'start',
      '--data-dir',
      dataDir,
      '--http-port',
      '0',
      '--mqtt-port',
      '0',
      '--https-port',
      '0',
      '--mqtt-tls-port',
      '0',
      '--bind',
      '127.0.0.1',
      '--no-mdns',
      '--log-level',
      'warn',
    ];
    const token = (await runHearth(['tokens', 'create', '--name', 'k', '--json', '--data-dir', dataDir])).json
      ?.token as string;
    const hub = spawnHearth(args);
    const info = await waitFor(() => readRuntimeInfo(dataDir), { what: 'hub up', timeoutMs: 15_000 });
    const api = (path: string, init: RequestInit = {}, base = info.httpPort) =>
      fetch(`http://127.0.0.1:${base}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      });
    const reg = (await (
      await api('/api/v1/devices', {
        method: 'POST',
        body: JSON.stringify({ name: 'button', model: 'contact-sensor' }),
      })
    ).json()) as {
      device: { id: string };
      secret: string;
    };
    const id = reg.device.id;
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${info.mqttPort}`, {
      clientId: id,
      username: id,
      password: reg.secret,
      reconnectPeriod: 0,
    });
    for (let i = 0; i < COUNT; i += 500) {
      await Promise.all(
        Array.from({ length: 500 }, (_, k) =>
          client.publishAsync(
            `hearth/dev/${id}/event`,
            JSON.stringify({ type: 'button', ts: Date.now(), button: `b${i + k}` }),
            { qos: 1 },
          ),
        ),
      );
    }
    await waitFor(
      async () => ((await (await api('/api/v1/cloud')).json()) as { queueDepth: number }).queueDepth >= COUNT,
      {
        what: 'all changes in the outbox',
        timeoutMs: 20_000,
      },
    );
    await client.endAsync(true);
    hub.child.kill('SIGKILL');
    await hub.exited;

    const cloud = await startCloudBroker(port);
    try {
      const again = spawnHearth(args);
      const info2 = await waitFor(() => readRuntimeInfo(dataDir), {
        what: 'hub up again',
        timeoutMs: 15_000,
      });
      await waitFor(
        async () =>
          ((await (await api('/api/v1/cloud', {}, info2.httpPort)).json()) as { queueDepth: number })
            .queueDepth === 0,
        {
          what: 'outbox drained after restart',
          timeoutMs: 30_000,
        },
      );
      const buttons = cloud.messages
        .filter((m) => m.topic === `hearth/k/event/${id}`)
        .map((m) => (m.body.data as { button: string }).button);
      expect(buttons.length).toBe(COUNT);
      expect(buttons).toEqual(Array.from({ length: COUNT }, (_, i) => `b${i}`));
      again.child.kill('SIGTERM');
      await again.exited;
    } finally {
      await cloud.close();
    }
  }, 90_000);
});
