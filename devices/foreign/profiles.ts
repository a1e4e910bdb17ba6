// Simulated devices of other ecosystems, each as its project documents it: a Tasmota plug (legacy
// Home Assistant discovery, `~` base topic, Online/Offline LWT, JSON RESULT), a Zigbee2MQTT bulb
// (json-schema light on `zigbee2mqtt/<name>`), an ESPHome relay (plain ON/OFF topics).

export type ForeignState = Record<string, unknown>;

export interface ForeignProfile {
  configs: Array<{ topic: string; payload: Record<string, unknown> }>;
  availability: { topic: string; online: string; offline: string };
  commandTopics: string[];
  initial: ForeignState;
  /** The state after a command payload on one of its command topics (undefined: not understood). */
  apply(topic: string, payload: string, state: ForeignState): ForeignState | undefined;
  /** The messages that report a state. */
  report(state: ForeignState): Array<{ topic: string; payload: string }>;
}

export const FOREIGN_PROFILES = ['tasmota-plug', 'z2m-light', 'esphome-switch'] as const;
export type ForeignProfileName = (typeof FOREIGN_PROFILES)[number];

const onOff = (text: string): boolean | undefined => {
  const t = text.trim().toUpperCase();
  if (t === 'ON' || t === '1') return true;
  if (t === 'OFF' || t === '0') return false;
  return undefined;
};

function tasmotaPlug(name: string, id: string): ForeignProfile {
  const base = `tasmota_${id}/`;
  return {
    configs: [
      {
        topic: `homeassistant/switch/${id}_RL_1/config`,
        payload: {
          name,
          '~': base,
          cmd_t: '~cmnd/POWER',
          stat_t: '~stat/RESULT',
          val_tpl: '{{value_json.POWER}}',
          pl_on: 'ON',
          pl_off: 'OFF',
          avty_t: '~tele/LWT',
          pl_avail: 'Online',
          pl_not_avail: 'Offline',
          uniq_id: `${id}_RL_1`,
          dev: { ids: [id], name, mdl: 'Simulated plug', sw: '12.5.0', mf: 'Tasmota' },
        },
      },
    ],
    availability: { topic: `${base}tele/LWT`, online: 'Online', offline: 'Offline' },
    commandTopics: [`${base}cmnd/POWER`],
    initial: { POWER: 'OFF' },
    apply(_topic, payload, state) {
      const on = payload.trim().toUpperCase() === 'TOGGLE' ? state.POWER !== 'ON' : onOff(payload);
      return on === undefined ? undefined : { POWER: on ? 'ON' : 'OFF' };
    },
    report: (state) => [{ topic: `${base}stat/RESULT`, payload: JSON.stringify(state) }],
  };
}

function z2mLight(name: string, id: string): ForeignProfile {
  const topic = `zigbee2mqtt/${name}`;
  return {
    configs: [
      {
        topic: `homeassistant/light/${id}/light/config`,
        payload: {
          availability: [{ topic: `${topic}/availability`, value_template: '{{ value_json.state }}' }],
          brightness: true,
          brightness_scale: 254,
          command_topic: `${topic}/set`,
          device: { identifiers: [`zigbee2mqtt_${id}`], name, manufacturer: 'Simulated', model: 'bulb' },
          name: null,
          origin: { name: 'Zigbee2MQTT' },
          schema: 'json',
          state_topic: topic,
          supported_color_modes: ['color_temp'],
          unique_id: `${id}_light_zigbee2mqtt`,
        },
      },
    ],
    availability: {
      topic: `${topic}/availability`,
      online: '{"state":"online"}',
      offline: '{"state":"offline"}',
    },
    commandTopics: [`${topic}/set`],
    initial: { state: 'OFF', brightness: 254, color_temp: 370 },
    apply(_topic, payload, state) {
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(payload) as Record<string, unknown>;
      } catch {
        return undefined;
      }
      const next = { ...state };
      for (const key of ['state', 'brightness', 'color_temp'] as const)
        if (key in body) next[key] = body[key];
      return next;
    },
    report: (state) => [{ topic, payload: JSON.stringify(state) }],
  };
}

function esphomeSwitch(name: string, _id: string): ForeignProfile {
  const node = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-');
  return {
    configs: [
      {
        topic: `homeassistant/switch/${node}/relay/config`,
        payload: {
          name: 'Relay',
          stat_t: `${node}/switch/relay/state`,
          cmd_t: `${node}/switch/relay/command`,
          avty_t: `${node}/status`,
          uniq_id: `${node}switchrelay`,
          dev: { ids: node, name, sw: 'esphome simulated', mf: 'espressif' },
        },
      },
    ],
    availability: { topic: `${node}/status`, online: 'online', offline: 'offline' },
    commandTopics: [`${node}/switch/relay/command`],
    initial: { relay: 'OFF' },
    apply(_topic, payload) {
      const on = onOff(payload);
      return on === undefined ? undefined : { relay: on ? 'ON' : 'OFF' };
    },
    report: (state) => [{ topic: `${node}/switch/relay/state`, payload: String(state.relay) }],
  };
}

export function foreignProfile(kind: ForeignProfileName, name: string, id: string): ForeignProfile {
  if (kind === 'tasmota-plug') return tasmotaPlug(name, id);
  if (kind === 'z2m-light') return z2mLight(name, id);
  return esphomeSwitch(name, id);
}
