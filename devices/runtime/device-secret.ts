// A device's MQTT secret: from its image when it was flashed registered, else from provisioning
// (adoption of a factory image), asked for once and kept in flash.
import type { Logger } from 'pino';
import { HearthError } from '../../shared/errors.js';
import type { DeviceStatic } from './device-types.js';
import type { FlashState } from './flash-state.js';
import type { HubAddress } from './hub-locator.js';

export async function deviceSecret(input: {
  d: DeviceStatic;
  state: FlashState;
  log: Logger;
  save: () => Promise<void>;
  locate: () => Promise<HubAddress[]>;
}): Promise<string> {
  const { d, state, log } = input;
  const { image, model } = d;
  const { identity, credentials: inImage } = image.body;
  if (inImage && identity.deviceId) return inImage.secret;
  if (!state.provisioned) {
    const hook = d.options.provisioning;
    if (!hook)
      throw new HearthError(
        'unavailable',
        `factory image ${d.owner} has no credentials and this runtime has no provisioning`,
      );
    const abort = new AbortController();
    const adopted = await hook({
      image,
      claimId: identity.claimId as string,
      model: model.model,
      firmware: image.header.firmware,
      capabilities: model.capabilities,
      locateHub: input.locate,
      log,
      signal: abort.signal,
    });
    state.provisioned = adopted;
    // Adopted with the hub CA: from now on only the hub's TLS address, where it was adopted.
    const tls = adopted.tls;
    if (tls?.host) {
      const host = tls.host.includes(':') ? `[${tls.host}]` : tls.host;
      state.hubAddresses = [`mqtts://${host}:${tls.port}`, ...state.hubAddresses].slice(0, 8);
    }
    await input.save();
  }
  return state.provisioned.secret;
}
