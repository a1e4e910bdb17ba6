// The devices side's logger: pino to stderr (stdout is for the CLI's own output), pretty in a
// terminal. devices/ never imports hub/, so it has its own three lines of setup.
import { type Logger, pino } from 'pino';

export type DeviceLogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export function createDeviceLogger(level: DeviceLogLevel = 'info'): Logger {
  if (level !== 'silent' && process.stderr.isTTY) {
    return pino({
      level,
      transport: { target: 'pino-pretty', options: { destination: 2, ignore: 'pid,hostname' } },
    });
  }
  return pino({ level, base: null }, pino.destination({ dest: 2, sync: false }));
}
