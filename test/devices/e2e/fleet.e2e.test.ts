// `hearth fleet`: registers and boots a fleet in one process against one real hub, and reports how
// many came online (on the devices' side and in the hub's registry).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../../support/hub.js';
import { killAll, runHearth } from '../support/processes.js';

const COUNT = Number(process.env.HEARTH_FLEET_TEST_COUNT ?? 1000);

describe('hearth fleet', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(async () => {
    await killAll();
    await hub.cleanup();
  });

  it(`brings ${COUNT} lights online against one hub`, async () => {
    const r = await runHearth([
      'fleet',
      '--model',
      'light',
      '--count',
      String(COUNT),
      '--hub',
      hub.baseUrl,
      '--token',
      hub.token,
      '--exit',
      '--json',
      '--timeout',
      '50',
      ...(process.env.HEARTH_FLEET_FLASH ? ['--flash-dir', process.env.HEARTH_FLEET_FLASH] : []),
    ]);
    console.log(JSON.stringify(r.json));
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ event: 'summary', count: COUNT, online: COUNT, hubOnline: COUNT });
    expect(hub.hub.context.registry.list().filter((d) => d.model === 'light')).toHaveLength(COUNT);
  }, 90_000);
});
