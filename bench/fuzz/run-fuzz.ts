// One fuzz run against a fresh in-process hub: device channels, publishes outside a device's
// rights and the HTTP API, with unhandled rejections and uncaught exceptions counted as findings.
import { type ChannelTally, type Finding, FuzzTally } from './findings.js';
import { startFuzzHub } from './fuzz-hub.js';
import { fuzzHttpApi } from './http-fuzz.js';
import { fuzzDeviceChannels, fuzzForbiddenTopics } from './mqtt-fuzz.js';

export interface FuzzOptions {
  /** Total generated inputs, split between MQTT (half) and HTTP (half). */
  inputs: number;
  seed: number;
  onPhase?: (phase: string, inputs: number) => void;
  /** The running total of inputs, every few thousand. */
  onProgress?: (inputs: number) => void;
}

export interface FuzzReport {
  seed: number;
  inputs: number;
  seconds: number;
  channels: Record<string, ChannelTally>;
  findings: Finding[];
}

export async function runFuzz({ inputs, seed, onPhase, onProgress }: FuzzOptions): Promise<FuzzReport> {
  const tally = new FuzzTally(onProgress);
  const onRejection = (err: unknown) => tally.report('process', `unhandled rejection: ${String(err)}`, '');
  const onException = (err: Error) => tally.report('process', `uncaught exception: ${err.stack ?? err}`, '');
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  const t0 = performance.now();
  const h = await startFuzzHub();
  try {
    const acl = Math.max(10, Math.round(inputs * 0.02));
    const device = Math.round(inputs / 2) - acl;
    const http = inputs - device - acl;
    onPhase?.('MQTT device channels (info, state, ack, event, status)', device);
    await fuzzDeviceChannels(h, tally, device, seed);
    onPhase?.('MQTT publishes outside the device’s own topics', acl);
    await fuzzForbiddenTopics(h, tally, acl, seed);
    onPhase?.('HTTP API, every operation in the OpenAPI document', http);
    await fuzzHttpApi(h, tally, http, seed);
  } finally {
    await h.close();
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  }
  return {
    seed,
    inputs: tally.inputs,
    seconds: Math.round((performance.now() - t0) / 100) / 10,
    channels: tally.channels,
    findings: tally.findings(),
  };
}
