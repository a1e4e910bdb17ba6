// Time as a dependency, so tests and drills can run the hub's timers on a clock of their own.
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
