// Commands to mosquitto's dynamic-security plugin over MQTT: JSON batches on
// $CONTROL/dynamic-security/v1, each answered on …/v1/response with the same correlationData.
// Batches are bounded so one reconcile of 1000 devices is a few messages, not one huge one.
import type { MqttClient } from 'mqtt';
import { z } from 'zod';

export const DYNSEC_TOPIC = '$CONTROL/dynamic-security/v1';
export const DYNSEC_RESPONSE_TOPIC = `${DYNSEC_TOPIC}/response`;
const BATCH = 100;
const TIMEOUT_MS = 10_000;

export type DynsecCommand = { command: string } & Record<string, unknown>;

const ResponseSchema = z.object({
  responses: z.array(
    z.object({
      command: z.string(),
      error: z.string().optional(),
      data: z.unknown().optional(),
      correlationData: z.string().optional(),
    }),
  ),
});
export type DynsecResponse = z.infer<typeof ResponseSchema>['responses'][number];

export interface DynsecClient {
  /** Starts listening for responses; call once the MQTT client is connected. */
  attach(): Promise<void>;
  /** Sends the commands (in batches) and resolves with one response per command, in order. */
  run(commands: DynsecCommand[]): Promise<DynsecResponse[]>;
  /** Like run, but throws on the first error other than those `tolerated` (e.g. "already exists"). */
  expectOk(commands: DynsecCommand[], tolerated?: RegExp): Promise<DynsecResponse[]>;
}

export class DynsecError extends Error {
  constructor(
    readonly command: string,
    readonly reason: string,
  ) {
    super(`mosquitto dynamic-security ${command}: ${reason}`);
  }
}

export function createDynsecClient(client: MqttClient): DynsecClient {
  const waiting = new Map<string, (r: DynsecResponse) => void>();
  let next = 0;
  const onMessage = (topic: string, payload: Buffer) => {
    if (topic !== DYNSEC_RESPONSE_TOPIC) return;
    let parsed: z.infer<typeof ResponseSchema>;
    try {
      parsed = ResponseSchema.parse(JSON.parse(payload.toString('utf8')));
    } catch {
      return;
    }
    for (const r of parsed.responses) {
      const done = r.correlationData === undefined ? undefined : waiting.get(r.correlationData);
      if (!done || r.correlationData === undefined) continue;
      waiting.delete(r.correlationData);
      done(r);
    }
  };

  const runBatch = (commands: DynsecCommand[]) => {
    const tagged = commands.map((c) => ({ ...c, correlationData: `h${++next}` }));
    const answers = tagged.map(
      (c) =>
        new Promise<DynsecResponse>((resolve, reject) => {
          const timer = setTimeout(() => {
            waiting.delete(c.correlationData);
            reject(
              new DynsecError(c.command, 'no answer from mosquitto (is the dynamic-security plugin loaded?)'),
            );
          }, TIMEOUT_MS);
          waiting.set(c.correlationData, (r) => {
            clearTimeout(timer);
            resolve(r);
          });
        }),
    );
    client.publish(DYNSEC_TOPIC, JSON.stringify({ commands: tagged }), { qos: 1 });
    return Promise.all(answers);
  };

  const run: DynsecClient['run'] = async (commands) => {
    const out: DynsecResponse[] = [];
    for (let i = 0; i < commands.length; i += BATCH)
      out.push(...(await runBatch(commands.slice(i, i + BATCH))));
    return out;
  };

  return {
    async attach() {
      client.on('message', onMessage);
      await client.subscribeAsync(DYNSEC_RESPONSE_TOPIC, { qos: 1 });
    },
    run,
    async expectOk(commands, tolerated) {
      const responses = await run(commands);
      for (const r of responses)
        if (r.error && !(tolerated?.test(r.error) ?? false)) throw new DynsecError(r.command, r.error);
      return responses;
    },
  };
}
