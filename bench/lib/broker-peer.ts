// A broker the fan-in bench compares Hearth with, running as a child process of the bench.
import type { ChildProcess } from 'node:child_process';
import { cpuSecondsOf, rssMbOf } from '../../hub/drills/proc-stats.js';

export interface BrokerPeer {
  port: number;
  cpuSeconds(): number;
  rssMb(): number;
  stop(): Promise<void>;
}

/** `cleanup` runs once the process has exited (its temp files). */
export function brokerPeer(
  child: ChildProcess,
  port: number,
  cleanup: () => void = () => undefined,
): BrokerPeer {
  return {
    port,
    cpuSeconds: () => cpuSecondsOf(child.pid),
    rssMb: () => rssMbOf(child.pid),
    stop: () =>
      new Promise<void>((resolve) => {
        const done = () => {
          cleanup();
          resolve();
        };
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', done);
        child.kill('SIGTERM');
      }),
  };
}
