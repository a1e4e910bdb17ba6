// Shared by the operations subcommands: the config from --data-dir/--config, and a progress bar
// that only draws when a person is watching.
import { type Config, ConfigError, loadConfig } from '../infra/config.js';

export function opsConfig(values: Record<string, unknown>): Config {
  try {
    return loadConfig({
      flags: { dataDir: values['data-dir'], config: values.config } as Record<string, unknown>,
    });
  } catch (err) {
    if (err instanceof ConfigError) throw new Error(err.message);
    throw err;
  }
}

export function progressBar(label: string, out: NodeJS.WriteStream = process.stderr) {
  const tty = out.isTTY === true;
  return {
    update(done: number, total: number) {
      if (!tty || total <= 0) return;
      const width = 30;
      const filled = Math.round((done / total) * width);
      out.write(
        `\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.round((done / total) * 100)}%`,
      );
    },
    end() {
      if (tty) out.write('\n');
    },
  };
}
