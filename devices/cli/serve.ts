// What `hearth device run` and `hearth fleet` share once devices are booted: report online/offline
// on stdout, take control lines on stdin, stop gracefully on SIGINT/SIGTERM.
import { createInterface } from 'node:readline';
import { HearthError } from '../../shared/errors.js';
import { parseControlLine } from '../host/control.js';
import type { DeviceHost } from '../host/device-host.js';

export function printLine(json: boolean, obj: Record<string, unknown>, human: string): void {
  process.stdout.write(json ? `${JSON.stringify(obj)}\n` : `${human}\n`);
}

/** Serves control lines until a signal; resolves with the exit code after a graceful stop. */
export function serveUntilSignal(host: DeviceHost, json: boolean): Promise<number> {
  return new Promise((resolveExit) => {
    const rl = createInterface({ input: process.stdin, terminal: false });
    let chain = Promise.resolve();
    rl.on('line', (line) => {
      if (line.trim() === '') return;
      chain = chain.then(async () => {
        let id: string | number | undefined;
        try {
          const parsed = parseControlLine(line);
          id = parsed.id;
          const devices = await host.control(parsed);
          printLine(
            json,
            { reply: id ?? null, ok: true, devices },
            `ok: ${devices.map((d) => `${d.id} ${d.online ? 'online' : 'offline'}`).join(', ')}`,
          );
        } catch (err) {
          const error =
            err instanceof HearthError
              ? { code: err.code, message: err.message }
              : { code: 'internal', message: String(err) };
          printLine(json, { reply: id ?? null, ok: false, error }, `control line refused: ${error.message}`);
        }
      });
    });
    const shutdown = async () => {
      process.off('SIGINT', shutdown);
      process.off('SIGTERM', shutdown);
      rl.close();
      process.stdin.pause();
      await host.stopAll();
      resolveExit(0);
    };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
  });
}
