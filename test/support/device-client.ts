// A scripted device for hub tests: a real mqtt.js client with device credentials that publishes
// info/status/state and answers commands the way the contract says. (The full simulated firmware
// lives in devices/; hub tests use this to control exactly what the device says.)
import type { MqttClient } from 'mqtt';
import type { Command } from '../../shared/payloads.js';

export interface ScriptedDevice {
  commands: Command[];
  /** Publishes retained info, online status and a first state. */
  announce(values?: Record<string, unknown>): Promise<void>;
  publishState(values: Record<string, unknown>): Promise<void>;
  /** From now on, answer every command with this (default: ok and apply it to state). */
  answerWith(
    answer: (cmd: Command) => { ok: true } | { ok: false; error: { code: string; message: string } } | null,
  ): void;
}

export async function scriptDevice(
  id: string,
  client: MqttClient,
  capabilities: object[] = [
    { name: 'power' },
    { name: 'channel' },
    { name: 'volume' },
    { name: 'mute' },
    { name: 'input' },
  ],
  startSeq = 0,
): Promise<ScriptedDevice> {
  // Real firmware persists seq across reboots; a test reconnecting "after a reboot" passes it on.
  let seq = startSeq;
  let values: Record<string, unknown> = {};
  const commands: Command[] = [];
  let answer: Parameters<ScriptedDevice['answerWith']>[0] = () => ({ ok: true });
  const publishState = async (next: Record<string, unknown>) => {
    values = { ...values, ...next };
    seq += 1;
    await client.publishAsync(`hearth/dev/${id}/state`, JSON.stringify({ seq, ts: Date.now(), values }), {
      retain: true,
      qos: 1,
    });
  };
  client.on('message', (topic, payload) => {
    if (topic !== `hearth/dev/${id}/cmd`) return;
    const cmd = JSON.parse(payload.toString()) as Command;
    commands.push(cmd);
    const result = answer(cmd);
    if (!result) return;
    client.publish(`hearth/dev/${id}/ack`, JSON.stringify({ id: cmd.id, ...result }), { qos: 1 });
    if (result.ok && cmd.value !== undefined) void publishState({ [cmd.capability]: cmd.value });
  });
  await client.subscribeAsync(`hearth/dev/${id}/cmd`, { qos: 1 });
  return {
    commands,
    async announce(initial = { power: false, channel: 1, volume: 10, mute: false, input: 'tv' }) {
      await client.publishAsync(
        `hearth/dev/${id}/info`,
        JSON.stringify({ model: 'tv', firmware: '1.0.0', capabilities }),
        {
          retain: true,
          qos: 1,
        },
      );
      await client.publishAsync(`hearth/dev/${id}/status`, 'online', { retain: true, qos: 1 });
      await publishState(initial);
    },
    publishState,
    answerWith(fn) {
      answer = fn;
    },
  };
}
