// The identity `matter`: what a Matter controller (Apple Home, Google Home, Alexa) may do through
// the bridge. Its rights are a guest's, with grants made from `matter.devices` and
// `matter.capabilities`, checked by the same `checkRight` every phone and token passes.
import { type AuthInfo, canSeeDevice, checkRight } from '../core/rights.js';
import type { MatterConfig } from '../infra/matter-config.js';

/** The command `source` of everything a Matter controller asks. */
export const MATTER_SOURCE = 'matter';

export interface MatterIdentity {
  /** Whether the device is bridged at all. */
  sees(deviceId: string): boolean;
  /** Throws forbidden (naming the right) unless `matter` may send this capability to the device. */
  checkCommand(deviceId: string, capability: string): void;
}

export function createMatterIdentity(config: Pick<MatterConfig, 'devices' | 'capabilities'>): MatterIdentity {
  const all = config.devices.includes('*');
  const who = (deviceId: string): Pick<AuthInfo, 'role' | 'grants'> => {
    const granted = all || config.devices.includes(deviceId);
    const caps = config.capabilities.length > 0 ? config.capabilities.join(',') : null;
    return {
      role: 'guest',
      // A device it may see but command nothing on still gets a grant: an empty list is no grant.
      grants: granted ? [`${deviceId}:${caps ?? 'none'}`] : [],
    };
  };
  return {
    sees: (deviceId) => canSeeDevice(who(deviceId), deviceId),
    checkCommand: (deviceId, capability) =>
      checkRight(who(deviceId), 'devices.command', { deviceId, capability }),
  };
}
