// Anchors measured in the same run as the hub's figures, because absolute times move between
// machines (the same commit measured a 0.94 ms and a 2.13 ms round trip on two of ours): a bare
// mosquitto and a bare aedes (the library the hub embeds) QoS 1 round trip, client → broker →
// client → broker → client, as a command and its ack travel. The hub's round trip is then also
// reported as a multiple of them (ratioRows).
import { freePort } from '../hub/drills/cloud-broker.js';
import { startPlainAedes } from './lib/aedes-peer.js';
import { client } from './lib/bench-client.js';
import type { BrokerPeer } from './lib/broker-peer.js';
import { startMosquitto } from './lib/mosquitto-peer.js';
import { type BenchRow, check } from './lib/report.js';
import { round, summarize } from './lib/stats.js';

const PING = { username: 'ping', password: 'ping-secret', clientId: 'ping' };
const PONG = { username: 'pong', password: 'pong-secret', clientId: 'pong' };

/** Sequential QoS 1 round trips: ping publishes, pong answers, ping receives the answer. */
async function roundTrips(port: number, samples: number, warmup: number): Promise<number[]> {
  const [ping, pong] = await Promise.all([client(port, PING), client(port, PONG)]);
  try {
    await pong.subscribeAsync('hearth/dev/ping/cmd', { qos: 1 });
    await ping.subscribeAsync('hearth/dev/pong/ack', { qos: 1 });
    pong.on('message', (_topic, payload) => pong.publish('hearth/dev/pong/ack', payload, { qos: 1 }));
    let answered: (() => void) | undefined;
    ping.on('message', () => answered?.());
    const times: number[] = [];
    for (let i = 0; i < warmup + samples; i++) {
      const t0 = performance.now();
      await new Promise<void>((resolve) => {
        answered = resolve;
        ping.publish('hearth/dev/ping/cmd', `{"n":${i}}`, { qos: 1 });
      });
      if (i >= warmup) times.push(performance.now() - t0);
    }
    return times;
  } finally {
    await Promise.all([ping.endAsync(true), pong.endAsync(true)]);
  }
}

/**
 * The anchor's run-to-run spread on this machine is wide (mosquitto's p50 measured 0.072 to
 * 0.184 ms in consecutive runs: where the scheduler puts the two clients and the broker), so each
 * anchor is the median of three runs, each against a fresh broker; the rows show the range.
 */
const ANCHOR_RUNS = 3;

async function anchor(
  name: 'mosquitto' | 'aedes',
  start: (port: number) => Promise<BrokerPeer>,
  samples: number,
): Promise<BenchRow[]> {
  const runs: Array<{ p50: number; p99: number }> = [];
  for (let i = 0; i < ANCHOR_RUNS; i++) {
    const peer = await start(await freePort());
    try {
      runs.push(summarize(await roundTrips(peer.port, samples, Math.min(500, samples))));
    } finally {
      await peer.stop();
    }
  }
  const median = (k: 'p50' | 'p99') => {
    const v = runs.map((r) => r[k]).sort((a, b) => a - b);
    return {
      value: v[Math.floor(v.length / 2)] as number,
      range: `${round(v[0] ?? 0, 3)}–${round(v.at(-1) ?? 0, 3)}`,
    };
  };
  const label = name === 'mosquitto' ? 'bare mosquitto' : 'bare aedes (the library the hub embeds)';
  return (['p50', 'p99'] as const).map((k) => {
    const m = median(k);
    return {
      bench: 'anchor',
      figure: `${label}: QoS 1 round trip, ${k} (median of ${ANCHOR_RUNS} runs)`,
      value: round(m.value, 3),
      unit: `ms (runs ${m.range})`,
      target: '',
      pass: null,
      key: `anchor.${name}.${k}`,
    };
  });
}

export async function benchAnchors(samples = 3000): Promise<BenchRow[]> {
  const acl = [
    'pattern write hearth/dev/%u/#',
    '',
    'user ping',
    'topic read hearth/dev/pong/#',
    '',
    'user pong',
    'topic read hearth/dev/ping/#',
  ];
  const reader = { username: 'reader', password: 'reader-secret' };
  return [
    ...(await anchor('mosquitto', (port) => startMosquitto(port, [PING, PONG], reader, acl), samples)),
    ...(await anchor('aedes', (port) => startPlainAedes(port, [PING, PONG]), samples)),
  ];
}

/** The hub's figures as multiples of the anchors measured in the same run (TARGETS' ratios). */
export function ratioRows(rows: BenchRow[]): BenchRow[] {
  const value = (key: string) => rows.find((r) => r.key === key)?.value;
  const out: BenchRow[] = [];
  const ratio = (figure: string, of: string, to: string, limit: number | null) => {
    const a = value(of);
    const b = value(to);
    if (a === undefined || b === undefined || b <= 0) return;
    const x = round(a / b, 2);
    out.push({
      bench: 'ratio',
      figure,
      value: x,
      unit: `x (${a} vs ${b} ${of.startsWith('memory') ? 'MB' : 'ms'})`,
      target: limit === null ? '' : `<= ${limit}x`,
      pass: limit === null ? null : check(x, '<=', limit),
    });
  };
  ratio('round trip p50 / bare mosquitto QoS 1 p50', 'roundtrip.p50', 'anchor.mosquitto.p50', 4);
  ratio('round trip p99 / bare mosquitto QoS 1 p99', 'roundtrip.p99', 'anchor.mosquitto.p99', 10);
  ratio('round trip p50 / bare aedes QoS 1 p50', 'roundtrip.p50', 'anchor.aedes.p50', null);
  ratio('round trip p99 / bare aedes QoS 1 p99', 'roundtrip.p99', 'anchor.aedes.p99', null);
  // TARGETS' RSS limits as multiples of its anchor: 120 MB and 130 MB (TLS) over plain aedes's 107 MB.
  ratio('hub RSS / plain aedes, clients connected', 'memory.rss', 'anchor.aedes-rss.connected', 1.12);
  ratio(
    'hub RSS over TLS / plain aedes, clients connected',
    'memory.rss.tls',
    'anchor.aedes-rss.connected',
    1.21,
  );
  ratio(
    'mosquitto mode: round trip p50 / bare mosquitto QoS 1 p50',
    'mosquitto-mode.roundtrip.p50',
    'anchor.mosquitto.p50',
    4,
  );
  ratio(
    'mosquitto mode: round trip p99 / bare mosquitto QoS 1 p99',
    'mosquitto-mode.roundtrip.p99',
    'anchor.mosquitto.p99',
    10,
  );
  return out;
}
