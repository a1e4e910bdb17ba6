// pino, one child logger per module. Pretty output only when a person is watching a terminal;
// JSON lines otherwise (journald, files), silent in tests.
import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, destination: NodeJS.WritableStream = process.stdout): Logger {
  const pretty = level !== 'silent' && (destination as NodeJS.WriteStream).isTTY === true && !process.env.CI;
  if (pretty) {
    return pino({
      level,
      transport: {
        target: 'pino-pretty',
        options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' },
      },
    });
  }
  return pino({ level, base: null }, destination as pino.DestinationStream);
}
