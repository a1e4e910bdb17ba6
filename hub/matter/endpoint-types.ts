// The matter.js endpoint type for each bridged kind, every one with Bridged Device Basic
// Information (name, reachable). Imported only by the bridge, which is loaded only when enabled.

import { BridgedDeviceBasicInformationServer } from '@matter/main/behaviors/bridged-device-basic-information';
import { ChannelServer } from '@matter/main/behaviors/channel';
import { ThermostatServer } from '@matter/main/behaviors/thermostat';
import type { Channel } from '@matter/main/clusters/channel';
import { ColorTemperatureLightDevice } from '@matter/main/devices/color-temperature-light';
import { ContactSensorDevice } from '@matter/main/devices/contact-sensor';
import { DimmableLightDevice } from '@matter/main/devices/dimmable-light';
import { OnOffLightDevice } from '@matter/main/devices/on-off-light';
import { OnOffPlugInUnitDevice } from '@matter/main/devices/on-off-plug-in-unit';
import { ThermostatDevice } from '@matter/main/devices/thermostat';
import type { BridgedKind } from './mapping.js';

/**
 * Channel without a channel list: a controller changes by number or skips; the bridge watches
 * `currentChannel` and sends Hearth's `channel` command.
 */
export class HearthChannelServer extends ChannelServer {
  override changeChannelByNumber(request: Channel.ChangeChannelByNumberRequest) {
    this.state.currentChannel = { majorNumber: request.majorNumber, minorNumber: request.minorNumber };
  }

  override skipChannel(request: Channel.SkipChannelRequest) {
    const current = this.state.currentChannel?.majorNumber ?? 1;
    this.state.currentChannel = { majorNumber: Math.max(1, current + request.count), minorNumber: 0 };
  }
}

const Bridged = BridgedDeviceBasicInformationServer;

export const endpointTypes = {
  'on-off-light': OnOffLightDevice.with(Bridged),
  'dimmable-light': DimmableLightDevice.with(Bridged),
  'color-temperature-light': ColorTemperatureLightDevice.with(Bridged),
  plug: OnOffPlugInUnitDevice.with(Bridged),
  feeder: OnOffPlugInUnitDevice.with(Bridged),
  tv: OnOffPlugInUnitDevice.with(Bridged, HearthChannelServer),
  contact: ContactSensorDevice.with(Bridged),
  thermostat: ThermostatDevice.with(Bridged, ThermostatServer.with('Heating', 'Cooling')),
} satisfies Record<BridgedKind, unknown>;
