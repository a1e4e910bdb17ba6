// How devices/ CLI commands report failures: a plain sentence on stderr, or a JSON error envelope
// on stdout with --json (scripts read stdout), exit code 1.
import { HearthError } from '../../shared/errors.js';

export function reportFailure(err: unknown, json: boolean, command: string): number {
  const body =
    err instanceof HearthError
      ? { code: err.code, message: err.message }
      : { code: 'internal', message: err instanceof Error ? err.message : String(err) };
  if (json) process.stdout.write(`${JSON.stringify({ ok: false, error: body })}\n`);
  else process.stderr.write(`hearth ${command}: ${body.message}\n`);
  return 1;
}

export function tokenFrom(flag: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  return flag || env.HEARTH_TOKEN || undefined;
}
