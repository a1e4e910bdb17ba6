// A plain aedes broker for the fan-in comparison, in its own process: the library the hub embeds,
// given only what mosquitto is given (a password per user, each publisher inside its own topics),
// Nagle off, node's default V8 settings. None of the hub's work (validation, event log, bus).
// argv: port, then a JSON array of [username, password]. Prints "ready" once listening.
import { createServer } from 'node:net';
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
const server = createServer({ noDelay: true }, (socket) => broker.handle(socket));
server.listen(port, '127.0.0.1', 4096, () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => {
  server.close();
  broker.close(() => process.exit(0));
});
