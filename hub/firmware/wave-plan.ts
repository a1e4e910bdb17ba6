// Splits a model's devices into waves: the canary first, then cumulative shares of the whole fleet
// (10%, 50%, 100% by default). Pure, so the plan is the same every time for the same fleet.

export interface WavePlanInput {
  /** Device ids to update, in a stable order. */
  devices: string[];
  canary: number;
  /** Cumulative percentages after the canary, increasing, the last one 100. */
  waves: number[];
}

/** Wave index per device: 0 is the canary; empty waves are dropped and the rest renumbered. */
export function planWaves({ devices, canary, waves }: WavePlanInput): string[][] {
  const total = devices.length;
  const plan: string[][] = [];
  let taken = Math.min(canary, total);
  if (taken > 0) plan.push(devices.slice(0, taken));
  for (const percent of waves) {
    const upTo = Math.min(total, Math.max(taken, Math.ceil((percent / 100) * total)));
    if (upTo > taken) plan.push(devices.slice(taken, upTo));
    taken = upTo;
  }
  if (taken < total) plan.push(devices.slice(taken));
  return plan;
}

/** Parses "10%,50%,100%" (or "10,50,100"); throws a plain-words Error. */
export function parseWaves(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim().replace(/%$/, ''));
  const waves = parts.map(Number);
  if (waves.length === 0 || waves.some((w) => !Number.isInteger(w) || w < 1 || w > 100))
    throw new Error('waves are whole percentages from 1 to 100, e.g. 10%,50%,100%');
  for (let i = 1; i < waves.length; i++)
    if ((waves[i] as number) <= (waves[i - 1] as number))
      throw new Error('waves must grow, e.g. 10%,50%,100%');
  if (waves[waves.length - 1] !== 100) throw new Error('the last wave must be 100%');
  return waves;
}
