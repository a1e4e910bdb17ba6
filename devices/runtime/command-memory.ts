// Recent command ids and their results, kept in flash: a duplicate (the hub re-sending after a
// lost ack, the broker replaying a session queue, a reboot in between) is answered with the
// remembered result and never performed again.
import { COMMAND_MEMORY, type CommandResult, type RememberedCommand } from './flash-state.js';

/** An id is kept at least this long after its command expired (clock skew, late replays). */
const KEEP_AFTER_EXPIRY_MS = 24 * 3600_000;

export function recall(memory: readonly RememberedCommand[], id: string): CommandResult | undefined {
  for (let i = memory.length - 1; i >= 0; i -= 1) if (memory[i]?.id === id) return memory[i]?.result;
  return undefined;
}

/** Returns the new memory: this command appended, long-expired and overflowing entries dropped. */
export function remember(
  memory: readonly RememberedCommand[],
  entry: RememberedCommand,
  now: number,
): RememberedCommand[] {
  const kept = memory.filter((m) => m.expiresAt + KEEP_AFTER_EXPIRY_MS > now);
  kept.push(entry);
  return kept.length > COMMAND_MEMORY ? kept.slice(kept.length - COMMAND_MEMORY) : kept;
}
