// The hub side of `hearth fleet`: registers N devices (16 requests at a time) and builds each one
// an image in memory, and deletes them again with --remove.
import type { FirmwareImage } from '../../shared/firmware-image.js';
import { callHub, type HubLocation, mqttAddress, registerDevice, registeredAddress } from './hub-api.js';
import { buildImage } from './image-builder.js';
import type { Progress } from './progress.js';

const HUB_REQUESTS_AT_ONCE = 16;

export interface FleetRegistration {
  hub: HubLocation;
  token: string;
  model: string;
  count: number;
  prefix: string;
  tls: boolean;
  releaseKey: string | undefined;
}

/** Registers the fleet; each id is pushed to `registered` as soon as the hub gives it (for --remove). */
export async function registerFleet(
  r: FleetRegistration,
  registered: string[],
  progress: Progress,
): Promise<FirmwareImage[]> {
  let done = 0;
  return mapLimit(
    Array.from({ length: r.count }, (_, i) => i + 1),
    HUB_REQUESTS_AT_ONCE,
    async (n) => {
      const name = `${r.prefix} ${n}`.slice(0, 64);
      const reg = await registerDevice(r.hub.url, r.token, { name, model: r.model });
      registered.push(reg.device.id);
      progress.update(++done / r.count, `registered ${done}/${r.count}`);
      return buildImage({
        model: r.model,
        name,
        deviceId: reg.device.id,
        secret: reg.secret,
        ...(r.tls
          ? { hubAddresses: registeredAddress(r.hub.url, reg), ...(reg.mqtt.ca ? { ca: reg.mqtt.ca } : {}) }
          : { hubAddresses: [mqttAddress(r.hub.url, reg.mqtt.port)] }),
        ...(r.releaseKey ? { releaseKey: r.releaseKey } : {}),
      }).image;
    },
  );
}

/** Deletes the registered devices from the hub, ignoring the ones already gone. */
export async function removeFleet(hubUrl: string, token: string, ids: string[]): Promise<void> {
  await mapLimit(ids, HUB_REQUESTS_AT_ONCE, (id) =>
    callHub(hubUrl, token, `/api/v1/devices/${id}`, { method: 'DELETE' }).catch(() => undefined),
  );
}

/** How many of the fleet the hub itself sees online, or null when it cannot be asked. */
export async function hubOnlineCount(hubUrl: string, token: string, ids: string[]): Promise<number | null> {
  const known = new Set(ids);
  const view = (await callHub(hubUrl, token, '/api/v1/devices', { method: 'GET' }).catch(() => null)) as {
    devices?: Array<{ id: string; online: boolean }>;
  } | null;
  return view?.devices ? view.devices.filter((d) => known.has(d.id) && d.online).length : null;
}

async function mapLimit<T, R>(
  items: T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
