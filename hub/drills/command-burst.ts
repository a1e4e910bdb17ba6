// A burst of commands from "phones": one sequential chain per device (so the order of a device's
// commands is known), every device's chain at once. Records what each caller was told: 200 done,
// 202 accepted for later, an error status, or nothing at all (the hub died mid-request).
import type { Lab } from './lab.js';

export interface PlannedCommand {
  deviceId: string;
  capability: string;
  value?: unknown;
  params?: Record<string, number>;
}

export interface CommandOutcome extends PlannedCommand {
  /** Position in the device's chain. */
  order: number;
  /** HTTP status, or 'no answer' when the connection failed. */
  status: number | 'no answer';
  /** The command id the hub gave it, when it answered with one. */
  commandId?: string;
  ms: number;
}

/** Acknowledged to the caller: the hub took responsibility (done now, or accepted for later). */
export const acknowledged = (o: CommandOutcome): boolean => o.status === 200 || o.status === 202;

export async function commandBurst(
  lab: Lab,
  plan: PlannedCommand[],
  onAnswered?: (answered: number) => void,
): Promise<CommandOutcome[]> {
  const chains = new Map<string, PlannedCommand[]>();
  for (const p of plan) chains.set(p.deviceId, [...(chains.get(p.deviceId) ?? []), p]);
  const outcomes: CommandOutcome[] = [];
  let answered = 0;
  await Promise.all(
    [...chains.values()].map(async (chain) => {
      for (const [order, p] of chain.entries()) {
        const t0 = performance.now();
        const outcome: CommandOutcome = { ...p, order, status: 'no answer', ms: 0 };
        try {
          const body = { capability: p.capability, value: p.value, params: p.params };
          const { status, body: answer } = await lab.api(
            'POST',
            `/api/v1/devices/${p.deviceId}/commands`,
            body,
          );
          outcome.status = status;
          const record =
            (answer.error as { details?: { command?: { id?: string } } } | undefined)?.details?.command ??
            (answer as { id?: string });
          if (typeof record.id === 'string') outcome.commandId = record.id;
        } catch {
          // connection refused or reset: the caller was told nothing
        }
        outcome.ms = performance.now() - t0;
        outcomes.push(outcome);
        onAnswered?.(++answered);
      }
    }),
  );
  return outcomes;
}
