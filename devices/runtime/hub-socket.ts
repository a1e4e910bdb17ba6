// The socket under one MQTT attempt: TCP with Nagle off (DESIGN: measured facts), or TLS verified
// against the hub CA the device holds, by name or address, resuming the last TLS session the hub
// gave for that address. A dead address is given up after TCP_CONNECT_TIMEOUT_MS.
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { createSecureContext, type SecureContext, connect as tlsConnect } from 'node:tls';
import { formatHubAddress, type HubAddress } from './hub-locator.js';

/** A cached address that does not answer TCP within this is given up for the next. */
export const TCP_CONNECT_TIMEOUT_MS = 3000;

// One TLS context per CA, made once: passing `ca` to every connect builds a new OpenSSL context
// each time (about 0.5 ms of CPU with OpenSSL 3), which in a reconnect surge is paid by every
// attempt, refused ones included. A device holds one CA; a fleet process shares it.
const contexts = new Map<string, SecureContext>();
function contextFor(trust: string): SecureContext {
  let context = contexts.get(trust);
  if (!context) {
    context = createSecureContext({ ca: trust });
    contexts.set(trust, context);
  }
  return context;
}

/** Opens sockets to the hub; remembers TLS sessions per address across attempts. */
export function createHubSocketOpener(trust: string | undefined): (address: HubAddress) => Socket {
  // The last TLS session the hub gave us: a reconnect (a surge after a hub restart) resumes it.
  const sessions = new Map<string, Buffer>();
  return (address) => {
    const key = formatHubAddress(address);
    if (!address.tls || trust === undefined)
      return boundConnect(netConnect({ host: address.host, port: address.port, noDelay: true }), key);
    const session = sessions.get(key);
    const socket = tlsConnect({
      host: address.host,
      port: address.port,
      secureContext: contextFor(trust),
      // SNI takes names only; an address is checked against the certificate's IP SANs.
      ...(isIP(address.host) ? {} : { servername: address.host }),
      ...(session ? { session } : {}),
      rejectUnauthorized: true,
    });
    socket.setNoDelay(true);
    socket.on('session', (s: Buffer) => sessions.set(key, s));
    return boundConnect(socket, key);
  };
}

function boundConnect<S extends Socket>(socket: S, key: string): S {
  const deadAddress = setTimeout(
    () => socket.destroy(new Error(`no TCP connection to ${key} within ${TCP_CONNECT_TIMEOUT_MS} ms`)),
    TCP_CONNECT_TIMEOUT_MS,
  );
  socket.once('connect', () => clearTimeout(deadAddress));
  socket.once('close', () => clearTimeout(deadAddress));
  return socket;
}
