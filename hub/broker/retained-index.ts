// Retained messages indexed by topic level. aedes's memory persistence answers every SUBSCRIBE by
// testing each retained message against the filter: with a thousand devices (four retained topics
// each) reconnecting at once, that scan was a fifth of the hub's CPU and made the surge quadratic.
// A trie walks only the levels a filter can match. MQTT-4.7.2-1: filters starting with a wildcard
// never match topics starting with `$`.
import { Readable } from 'node:stream';
import aedesPersistence, { type AedesMemoryPersistence, type Packet as AedesPacket } from 'aedes-persistence';

type Packet = AedesPacket & { topic: string; payload: Buffer };
// A CommonJS module whose export is the factory (its types describe it as an ES default export).
const memoryPersistence = aedesPersistence as unknown as () => AedesMemoryPersistence;

// Most levels are leaves (one device's state topic): their map of children is made on first use.
const NO_CHILDREN: ReadonlyMap<string, Level> = new Map();

class Level {
  children: ReadonlyMap<string, Level> = NO_CHILDREN;
  packet: Packet | undefined;

  child(level: string): Level {
    let next = this.children.get(level);
    if (!next) {
      if (this.children === NO_CHILDREN) this.children = new Map();
      next = new Level();
      (this.children as Map<string, Level>).set(level, next);
    }
    return next;
  }
}

/**
 * The payload in memory of its own size. A packet's payload is a slice of the chunk the socket
 * read, and a small copy is a slice of Node's shared 8 KB pool: kept as either, a retained
 * message would hold that whole chunk or pool slab for as long as it is kept.
 */
function ownPayload(payload: Buffer | string): Buffer {
  const bytes = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  if (bytes.byteLength === bytes.buffer.byteLength) return bytes;
  const own = Buffer.allocUnsafeSlow(bytes.byteLength);
  bytes.copy(own);
  return own;
}

export class RetainedIndex {
  private readonly root = new Level();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** An empty payload clears the topic (MQTT-3.3.1-10). */
  store(packet: Packet): void {
    const levels = packet.topic.split('/');
    if (packet.payload.length === 0) {
      this.remove(levels);
      return;
    }
    let node = this.root;
    for (const level of levels) node = node.child(level);
    if (!node.packet) this.count++;
    node.packet = { ...packet, payload: ownPayload(packet.payload) };
  }

  *match(filter: string): Generator<Packet> {
    yield* this.walk(this.root, filter.split('/'), 0);
  }

  private *walk(node: Level, parts: string[], i: number): Generator<Packet> {
    const part = parts[i];
    if (part === undefined) {
      if (node.packet) yield node.packet;
      return;
    }
    if (part === '#') {
      // `a/#` also matches `a` itself (MQTT-4.7.1-2).
      if (node.packet && i > 0) yield node.packet;
      yield* this.all(node, i === 0);
      return;
    }
    if (part === '+') {
      for (const [level, child] of node.children)
        if (!(i === 0 && level.startsWith('$'))) yield* this.walk(child, parts, i + 1);
      return;
    }
    const child = node.children.get(part);
    if (child) yield* this.walk(child, parts, i + 1);
  }

  private *all(node: Level, skipDollar: boolean): Generator<Packet> {
    for (const [level, child] of node.children) {
      if (skipDollar && level.startsWith('$')) continue;
      if (child.packet) yield child.packet;
      yield* this.all(child, false);
    }
  }

  private remove(levels: string[]): void {
    const path: Array<[Level, string]> = [];
    let node = this.root;
    for (const level of levels) {
      const next = node.children.get(level);
      if (!next) return;
      path.push([node, level]);
      node = next;
    }
    if (!node.packet) return;
    node.packet = undefined;
    this.count--;
    // Prune empty branches so a topic that comes and goes leaves nothing behind.
    for (let k = path.length - 1; k >= 0; k--) {
      const [parent, level] = path[k] as [Level, string];
      const child = parent.children.get(level) as Level;
      if (child.packet || child.children.size > 0) break;
      (parent.children as Map<string, Level>).delete(level);
    }
  }
}

/** aedes's memory persistence with retained messages kept in a RetainedIndex. */
export function indexedMemoryPersistence(index = new RetainedIndex()): AedesMemoryPersistence {
  const persistence = memoryPersistence();
  // aedes calls it without a callback and awaits the promise; the callback form is the typed API.
  persistence.storeRetained = ((packet: AedesPacket, cb?: (err: null) => void) => {
    index.store(packet as Packet);
    if (cb) process.nextTick(cb, null);
    return Promise.resolve();
  }) as AedesMemoryPersistence['storeRetained'];
  persistence.createRetainedStream = (pattern: string) => Readable.from(index.match(pattern));
  persistence.createRetainedStreamCombi = (patterns: string[]) =>
    Readable.from(
      (function* () {
        for (const p of patterns) yield* index.match(p);
      })(),
    );
  return persistence;
}
