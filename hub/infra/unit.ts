// The lifecycle every part of the hub follows, so hub.ts can start them in order and stop them in
// reverse: constructed without side effects, started, stopped.
export interface Unit {
  readonly name: string;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
  /** Extra detail for /api/v1/health. */
  health?(): { ok: boolean; detail?: Record<string, unknown> };
}
