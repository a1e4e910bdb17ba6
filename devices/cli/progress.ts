// A one-line progress bar on a terminal (stderr), silent anywhere else (pipes, --json, tests).
export interface Progress {
  update(fraction: number, label: string): void;
  done(): void;
}

export function createProgress(stream: NodeJS.WriteStream, enabled: boolean): Progress {
  const on = enabled && stream.isTTY === true;
  const width = 24;
  return {
    update(fraction, label) {
      if (!on) return;
      const f = Math.max(0, Math.min(1, fraction));
      const filled = Math.round(f * width);
      stream.write(
        `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(f * 100)).padStart(3)}% ${label}\x1b[K`,
      );
    },
    done() {
      if (on) stream.write('\r\x1b[K');
    },
  };
}
