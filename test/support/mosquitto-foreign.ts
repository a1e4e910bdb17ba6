// A foreign device played by Debian's mosquitto clients: discovery configs and states published
// with mosquitto_pub as an integration MQTT user, command topics watched with mosquitto_sub.
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface MqttLogin {
  port: number;
  user: string;
  password: string;
}

export function loadFixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/ha-discovery', name), 'utf8')) as T;
}

export async function mosquittoPub(
  login: MqttLogin,
  topic: string,
  payload: string | object,
  opts: { retain?: boolean } = {},
): Promise<void> {
  const message = typeof payload === 'string' ? payload : JSON.stringify(payload);
  await run('mosquitto_pub', [
    ...['-h', '127.0.0.1', '-p', String(login.port), '-u', login.user, '-P', login.password],
    ...['-q', '1', '-t', topic],
    ...(message === '' ? ['-n'] : ['-m', message]),
    ...(opts.retain ? ['-r'] : []),
  ]);
}

/**
 * Starts mosquitto_sub on a topic; `next()` resolves with the next payload it prints. On a filter
 * with wildcards each line is `topic payload` (an empty payload prints as `(null)`).
 */
export async function mosquittoSub(
  login: MqttLogin,
  topic: string,
): Promise<{ next(): Promise<string>; all(): string[]; stop(): void }> {
  // Line-buffered, so the SUBACK line (-d) arrives before any message: nothing sent after is missed.
  const child = spawn('stdbuf', [
    '-oL',
    'mosquitto_sub',
    ...['-h', '127.0.0.1', '-p', String(login.port), '-u', login.user, '-P', login.password],
    ...['-q', '1', '-t', topic, '-v', '-d'],
  ]);
  const wildcard = /[+#]/.test(topic);
  const literal = topic.split(/[+#]/)[0] as string;
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  let out = '';
  let subscribed: () => void = () => undefined;
  const ready = new Promise<void>((r) => {
    subscribed = r;
  });
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
    let nl = out.indexOf('\n');
    while (nl >= 0) {
      const line = out.slice(0, nl);
      out = out.slice(nl + 1);
      if (line.includes('SUBACK')) subscribed();
      else if (wildcard ? line.startsWith(literal) : line.startsWith(`${topic} `)) {
        lines.push(wildcard ? line : line.slice(topic.length + 1));
        for (const w of waiters.splice(0)) w();
      }
      nl = out.indexOf('\n');
    }
  });
  await ready;
  let read = 0;
  return {
    async next() {
      while (lines.length <= read) await new Promise<void>((r) => waiters.push(r));
      return lines[read++] as string;
    },
    all: () => [...lines],
    stop: () => child.kill(),
  };
}
