// `npm run bench`: runs the benchmarks one after another (never in parallel: two cores), prints a
// table and writes bench/results.json and bench/RESULTS.md. `--only NAME[,NAME]` runs a subset and
// writes bench/RESULTS-NAME+NAME.md (and its .json) instead.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchAnchors, ratioRows } from './anchors.js';
import { benchCloudOutbox } from './cloud-outbox.js';
import { benchColdStart } from './cold-start.js';
import { benchFanIn, FAN_IN_NOTE } from './fan-in.js';
import { benchFleet } from './fleet-benches.js';
import { fuzzAndRecord, fuzzRows } from './fuzz.js';
import { type BenchRow, printTable, writeResults } from './lib/report.js';
import { benchMosquittoMode, MOSQUITTO_MODE_NOTE } from './mosquitto-mode.js';
import { benchRollout } from './rollout.js';
import { benchRssAnchor } from './rss-anchor.js';
import { benchScheduleLateness } from './schedule-lateness.js';

type Bench = { name: string; run: () => Promise<BenchRow[]> };
/** The plain fleet run's figures, the anchors of the TLS run. */
let fleetPlain: Awaited<ReturnType<typeof benchFleet>> | undefined;

const resultsDir = dirname(fileURLToPath(import.meta.url)).replace(`${'/dist'}/bench`, '/bench');

const benches: Bench[] = [
  { name: 'anchors', run: () => benchAnchors() },
  { name: 'rss-anchor', run: () => benchRssAnchor() },
  { name: 'cold-start', run: () => benchColdStart() },
  { name: 'cloud-outbox', run: () => benchCloudOutbox() },
  {
    name: 'fleet',
    run: async () => {
      fleetPlain = await benchFleet();
      return fleetPlain.rows;
    },
  },
  {
    name: 'fleet-tls',
    run: async () => (await benchFleet(1000, 3000, { anchors: fleetPlain?.anchors ?? null })).rows,
  },
  { name: 'fan-in', run: () => benchFanIn() },
  { name: 'mosquitto-mode', run: () => benchMosquittoMode() },
  { name: 'schedules', run: () => benchScheduleLateness() },
  { name: 'rollout', run: () => benchRollout() },
  { name: 'fuzz', run: async () => fuzzRows(await fuzzAndRecord(resultsDir)) },
];

async function main(): Promise<number> {
  const onlyArg = process.argv.indexOf('--only');
  const only = onlyArg >= 0 ? (process.argv[onlyArg + 1] ?? '').split(',') : null;
  const rows: BenchRow[] = [];
  const notes: string[] = [
    "anchors: bare mosquitto and bare aedes measured in this run (absolute times move between machines), each the median of three runs against a fresh broker (consecutive runs spread up to 2.5x on this machine); a QoS 1 round trip is one client publishing, a second answering on another topic, the first receiving the answer (a command and its ack), sequentially after 500 warm-up trips; the ratio rows divide the hub's figures by them.",
    'Everything runs on this one 2-core machine: hub process, fleet process (1000 simulated devices in one Node process) and the load driver.',
    'round trip: sequential HTTP POSTs to random devices over one keep-alive connection from a minimal raw-socket client (as wrk or autocannon would; node:http as the client added 0.2-0.4 ms of its own), after a warm-up of 2000 commands reported on its own row; each includes the simulated device writing its flash slot (in place + fdatasync) before it acks, so an acked command survives a power cut; the flash directory is on /dev/shm.',
    'reconnect surge: the hub is restarted with SIGTERM on the same ports and every device comes back by itself (full-jitter retries, ceiling 0.5 s then 1 s for the first 30 attempts); "accepted" counts CONNACKs (hearth_mqtt_connections_total) from the moment the restarted hub accepts TCP on its MQTT port, as the 1000-at-once plain aedes anchor does; "online" waits for every device to subscribe and re-report its state and runs from SIGTERM, restart included; desired states are compared through the API before and after.',
    'memory: RSS of the hub process read from /proc, after the round trip; the idle figure is a hub with no device, 1.5 s after a first start. The hub runs with its V8 flags and allocator setting (hub/infra/node-flags.ts: 1 MB young generation, 20% old-generation growth, glibc mmap threshold 16 KiB), as every launch path does; with V8 defaults the RSS with 1000 devices was ~155 MB, and the fan-in ran ~40% faster (when measured: 43k vs 31k msg/s at QoS 0, 24 vs 34 µs per message): the flags trade burst throughput for memory.',
    "fleet over TLS: the same fleet bench with the devices flashed with the hub CA (hearth fleet --tls: MQTT over TLS, verified, sessions resumed on reconnect through the hub's persisted ticket keys) and the round trip over HTTPS (one TLS session, keep-alive); ratios are to the plain fleet run just before it.",
    FAN_IN_NOTE,
    MOSQUITTO_MODE_NOTE,
    'fuzz: fast-check inputs derived from the MQTT payload schemas and the OpenAPI document, against an in-process hub; bench/fuzz-results.json has every channel and finding.',
    'schedules: measureScheduleLateness() from bench/lib/schedule-lateness-probe.ts (a hub process with its V8 flags, 50 lights in the bench process acking over MQTT); "late" is when the hub began handing the run to the command path, from its run log.',
  ];
  for (const bench of benches) {
    if (only && !only.includes(bench.name)) continue;
    process.stderr.write(`bench: ${bench.name}…\n`);
    const t0 = performance.now();
    try {
      rows.push(...(await bench.run()));
    } catch (err) {
      notes.push(`${bench.name} failed: ${(err as Error).message}`);
      process.stderr.write(`bench: ${bench.name} failed: ${(err as Error).stack}\n`);
    }
    process.stderr.write(`bench: ${bench.name} took ${Math.round((performance.now() - t0) / 1000)} s\n`);
  }
  rows.push(...ratioRows(rows));
  const dir = resultsDir;
  const command = `npm run bench${only ? ` -- --only ${only.join(',')}` : ''}`;
  const written = writeResults(dir, rows, command, notes, only ? only.join('+') : '');
  process.stdout.write(`${printTable(rows)}\n\nwritten to ${written} and its .json\n`);
  return rows.some((r) => r.pass === false) || notes.length > 0 ? 1 : 0;
}

main().then((code) => {
  process.exitCode = code;
});
