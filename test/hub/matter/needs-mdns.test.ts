// With mDNS off (--no-mdns) nothing may multicast: a hub with Matter on but mDNS off keeps its
// bridge off, says why in /api/v1/health and /api/v1/matter, and serves everything else.
import { describe, expect, it } from 'vitest';
import { startTestHub } from '../../support/hub.js';

describe('the Matter bridge needs mDNS', () => {
  it('stays off with mDNS off, and says why', async () => {
    const t = await startTestHub({ config: { matter: { enabled: true } } });
    try {
      const status = await (await t.api('/api/v1/matter')).json();
      expect(status).toMatchObject({
        enabled: true,
        state: 'failed',
        error: expect.stringMatching(/needs mDNS/),
      });
      const health = await (await t.api('/api/v1/health')).json();
      expect(health.components.matter).toMatchObject({ ok: false, detail: { state: 'failed' } });
      expect((await t.api('/api/v1/devices')).status).toBe(200);
      const refused = await t.api('/api/v1/matter/decommission', { method: 'POST' });
      expect(refused.status).toBe(409);
      expect((await refused.json()).error.code).toBe('conflict');
    } finally {
      await t.cleanup();
    }
  });

  it('is off by default, and its routes say so', async () => {
    const t = await startTestHub();
    try {
      expect(await (await t.api('/api/v1/matter')).json()).toEqual({ enabled: false, state: 'off' });
      const health = await (await t.api('/api/v1/health')).json();
      expect(health.components.matter).toEqual({ ok: true, detail: { state: 'off' } });
    } finally {
      await t.cleanup();
    }
  });
});
