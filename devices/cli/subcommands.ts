// Hands `hearth device …` and `hearth firmware …` to the handler of their subcommand; what to do
// with a missing or unknown one (help, or a usage error that says what to try) is the caller's.
import { runCommand } from '../../shared/cli.js';

export type Subcommand = (args: string[]) => Promise<number>;

export function runSubcommand(
  args: string[],
  subs: Record<string, Subcommand>,
  otherwise: (sub: string | undefined) => number,
): Promise<number> {
  return runCommand(async () => {
    const [sub, ...rest] = args;
    const handler = sub !== undefined && Object.hasOwn(subs, sub) ? subs[sub] : undefined;
    return handler ? handler(rest) : otherwise(sub);
  });
}
