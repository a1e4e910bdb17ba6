// The stream aedes reads and writes for one TCP client: reads come through the packet guard, writes
// go straight to the socket. aedes (mqtt-packet) corks the stream around the packets it sends
// together; `writev` carries that cork to the socket, so CONNACK, SUBACK, retained messages and
// PUBACKs leave in one syscall instead of one each (Duplex.from writes chunk by chunk).
import type { Socket } from 'node:net';
import { Duplex, type Transform } from 'node:stream';

export function guardedStream(socket: Socket, guard: Transform): Duplex {
  const stream = new Duplex({
    read() {
      guard.resume();
    },
    write(chunk: Buffer, _encoding, callback) {
      socket.write(chunk, callback);
    },
    writev(chunks, callback) {
      socket.cork();
      const last = chunks.length - 1;
      chunks.forEach(({ chunk }, i) => {
        if (i === last) socket.write(chunk as Buffer, callback);
        else socket.write(chunk as Buffer);
      });
      socket.uncork();
    },
    final(callback) {
      socket.end(callback);
    },
    destroy(err, callback) {
      // The error is aedes's to report (an ACL refusal, a protocol error); handing it to the socket
      // would re-emit it there as an 'error' nobody asked for.
      socket.destroy();
      callback(err);
    },
  });
  guard.on('data', (chunk: Buffer) => {
    if (!stream.push(chunk)) guard.pause();
  });
  guard.once('end', () => stream.push(null));
  socket.once('close', () => stream.destroy());
  return stream;
}
