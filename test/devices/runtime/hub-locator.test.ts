import { describe, expect, it } from 'vitest';
import { cachedAddressLocator, locateHub, parseHubAddress } from '../../../devices/runtime/hub-locator.js';

describe('hub locator strategies', () => {
  it('parses mqtt URLs, including IPv6, and refuses anything else', () => {
    expect(parseHubAddress('mqtt://192.168.1.10:1883')).toEqual({
      host: '192.168.1.10',
      port: 1883,
      tls: false,
    });
    expect(parseHubAddress('mqtts://[fe80::1]:8883')).toEqual({ host: 'fe80::1', port: 8883, tls: true });
    for (const bad of ['http://x:1', 'mqtt://x', 'mqtt://x:0', 'mqtt://x:70000', 'mqtt://x:1/path'])
      expect(parseHubAddress(bad)).toBeNull();
  });

  it('tries strategies in order, deduplicates, and skips one that fails', async () => {
    const errors: string[] = [];
    const found = await locateHub(
      [
        cachedAddressLocator(() => ['mqtt://10.0.0.2:1883', 'garbage', 'mqtt://10.0.0.1:1883']),
        { name: 'broken', locate: () => Promise.reject(new Error('no network')) },
        {
          name: 'mdns',
          locate: async () => [
            { host: '10.0.0.1', port: 1883, tls: false },
            { host: '10.0.0.3', port: 1883, tls: false },
          ],
        },
      ],
      (name) => errors.push(name),
    );
    expect(found.map((a) => a.host)).toEqual(['10.0.0.2', '10.0.0.1', '10.0.0.3']);
    expect(errors).toEqual(['broken']);
  });
});
