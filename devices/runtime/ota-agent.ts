// Over-the-air updates on the device, composed of three parts: the installer (offer → download →
// check → inactive slot → reboot on trial), the boot loader (runs first in a boot; falls back to
// the old slot when a trial does not confirm its health) and the outcome kept in flash, reported
// in info and as an `ota` event.
import { createOtaBootLoader } from './ota-boot-loader.js';
import { createOtaInstaller } from './ota-installer.js';
import { createOtaOutcome } from './ota-outcome.js';
import type { OtaAgent, OtaHost } from './ota-types.js';

export function createOtaAgent(host: OtaHost): OtaAgent {
  const outcome = createOtaOutcome(host);
  const bootLoader = createOtaBootLoader(host, outcome);
  const installer = createOtaInstaller(host, outcome);
  return {
    atBoot: () => bootLoader.atBoot(),
    get behaviour() {
      return bootLoader.behaviour;
    },
    offer: (payload) => installer.offer(payload),
    announced: () => bootLoader.announced(),
    infoUpdate: () => outcome.infoUpdate(),
    stop() {
      bootLoader.stop();
      installer.stop();
    },
  };
}
