// A plain aedes broker for the fan-in comparison, in its own process: the library the hub embeds,
// given only what mosquitto is given (a password per user, each publisher inside its own topics),
// Nagle off, node's default V8 settings. None of the hub's work (validation, event log, bus).
// argv: port, a JSON array of [username, password], and optionally a JSON {key, cert} of PEM file
// paths: MQTT over TLS (node's defaults, as the hub's own TLS port). Prints "ready" once listening.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes } from 'aedes';

const port = Number(process.argv[2]);
const users = new Map<string, string>(JSON.parse(process.argv[3] ?? '[]') as Array<[string, string]>);

const broker = await Aedes.createBroker({
  authenticate(_client, username, password, done) {
    done(null, username !== undefined && users.get(username) === password?.toString('utf8'));
  },
  authorizePublish(client, packet, done) {
    done(client && packet.topic.startsWith(`hearth/dev/${client.id}/`) ? null : new Error('denied'));
  },
});
const tls = process.argv[4] ? (JSON.parse(process.argv[4]) as { key: string; cert: string }) : undefined;
const server = tls
  ? createTlsServer({ key: readFileSync(tls.key), cert: readFileSync(tls.cert) }, (socket) => {
      socket.setNoDelay(true);
      broker.handle(socket);
    })
  : createServer({ noDelay: true }, (socket) => broker.handle(socket));
server.listen(port, '127.0.0.1', 4096, () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => {
  server.close();
  broker.close(() => process.exit(0));
});
