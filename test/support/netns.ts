// A small LAN of our own for tests that need multicast (mDNS): network namespaces joined by a
// veth pair, with addresses chosen inside them. Nothing here touches the machine's real
// interfaces, and everything is torn down afterwards. Needs root (CI runs as root).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface LanHost {
  ns: string;
  dev: string;
  address: string;
}

export interface Lan {
  hub: LanHost;
  peer: LanHost;
  /** Moves the hub to another address on the same LAN. */
  moveHub(address: string): void;
  spawn(host: LanHost, cmd: string, args: string[], env?: NodeJS.ProcessEnv): ChildProcess;
  run(host: LanHost, cmd: string, args: string[], env?: NodeJS.ProcessEnv): string;
  /**
   * A Unix socket (a file, so reachable from this namespace) that forwards each connection to
   * 127.0.0.1:port inside the host's namespace: the test reaches a server there as a tool running
   * on that machine would, without a route into the namespace.
   */
  forward(host: LanHost, port: number, socketPath: string): Promise<void>;
  destroy(): void;
}

// The forwarder run inside a namespace: argv[1] is the socket path, argv[2] the port.
const FORWARDER = `const net = require('net');
const [sock, port] = process.argv.slice(1);
net.createServer((c) => {
  const up = net.connect(Number(port), '127.0.0.1');
  c.pipe(up).pipe(c);
  up.on('error', () => c.destroy());
  c.on('error', () => up.destroy());
}).listen(sock, () => console.log('ready'));`;

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });

/** Why this machine cannot build test namespaces, or null when it can. */
export function netnsUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'mDNS tests need root to create network namespaces (CI runs as root)';
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'pipe' });
    return null;
  } catch (err) {
    return `ip netns is not available: ${(err as Error).message}`;
  }
}

export function createLan(): Lan {
  const tag = randomBytes(3).toString('hex');
  const subnet = `10.${200 + (parseInt(tag.slice(0, 2), 16) % 50)}.${parseInt(tag.slice(2, 4), 16)}`;
  const hub: LanHost = { ns: `hearth-h-${tag}`, dev: `hh${tag}`, address: `${subnet}.1` };
  const peer: LanHost = { ns: `hearth-p-${tag}`, dev: `hp${tag}`, address: `${subnet}.2` };
  const children = new Set<ChildProcess>();
  ip('netns', 'add', hub.ns);
  ip('netns', 'add', peer.ns);
  try {
    ip('link', 'add', hub.dev, 'type', 'veth', 'peer', 'name', peer.dev);
    for (const h of [hub, peer]) {
      ip('link', 'set', h.dev, 'netns', h.ns);
      ip('-n', h.ns, 'link', 'set', 'lo', 'up');
      ip('-n', h.ns, 'addr', 'add', `${h.address}/24`, 'dev', h.dev);
      ip('-n', h.ns, 'link', 'set', h.dev, 'up', 'multicast', 'on');
      ip('-n', h.ns, 'route', 'add', '224.0.0.0/4', 'dev', h.dev);
    }
  } catch (err) {
    for (const h of [hub, peer]) execFileSync('ip', ['netns', 'del', h.ns], { stdio: 'ignore' });
    throw err;
  }
  const spawnIn: Lan['spawn'] = (host, cmd, args, env = {}) => {
    const child = spawn('ip', ['netns', 'exec', host.ns, cmd, ...args], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.add(child);
    child.once('exit', () => children.delete(child));
    return child;
  };
  return {
    hub,
    peer,
    moveHub(address) {
      // Removing the last address flushes the interface's routes: put the multicast route back.
      ip('-n', hub.ns, 'addr', 'del', `${hub.address}/24`, 'dev', hub.dev);
      ip('-n', hub.ns, 'addr', 'add', `${address}/24`, 'dev', hub.dev);
      ip('-n', hub.ns, 'route', 'replace', '224.0.0.0/4', 'dev', hub.dev);
      hub.address = address;
    },
    spawn: spawnIn,
    run(host, cmd, args, env = {}) {
      return execFileSync('ip', ['netns', 'exec', host.ns, cmd, ...args], {
        env: { ...process.env, ...env },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    },
    forward(host, port, socketPath) {
      const child = spawnIn(host, process.execPath, ['-e', FORWARDER, socketPath, String(port)]);
      return new Promise((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`the forwarder to port ${port} exited (${code})`)));
        child.stdout?.once('data', () => resolve());
      });
    },
    destroy() {
      for (const c of children) c.kill('SIGKILL');
      for (const h of [hub, peer]) {
        try {
          execFileSync('ip', ['netns', 'pids', h.ns], { encoding: 'utf8' })
            .split('\n')
            .filter(Boolean)
            .forEach((pid) => {
              process.kill(Number(pid), 'SIGKILL');
            });
        } catch {
          // already empty
        }
        execFileSync('ip', ['netns', 'del', h.ns], { stdio: 'ignore' });
      }
    },
  };
}
