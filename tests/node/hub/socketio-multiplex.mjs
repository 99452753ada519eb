// Opens two instance namespaces multiplexed on one Engine.IO connection, publishes once both are connected, and reports
// which namespace received which event.
// Usage: node hub/socketio-multiplex.mjs '<json config>'   config: { url, namespaces: [..], apikey, transports, expect, publish: { url, apikey, body } }
// Prints RESULT {"sameEngine":true,"events":[{"namespace","name","instance"}]}.
import { Manager } from 'socket.io-client';
import { publish } from './publish.mjs';

const config = JSON.parse(process.argv[2]);
const manager = new Manager(config.url, { reconnection: false, transports: config.transports ?? ['websocket'] });
const sockets = config.namespaces.map(namespace => manager.socket(namespace, { auth: { apikey: config.apikey } }));
const received = [];
const deadline = setTimeout(() => { console.error('timed out: ' + JSON.stringify(received)); process.exit(1); }, 20000);

for (const [index, socket] of sockets.entries()) {
  socket.on('connect_error', error => { console.error(`connect_error on ${config.namespaces[index]}: ${error.message}`); process.exit(1); });
  socket.onAny((name, envelope) => {
    received.push({ namespace: config.namespaces[index], name, instance: envelope.instance });
    if (received.length >= config.expect) {
      clearTimeout(deadline);
      const sameEngine = sockets.every(s => s.io.engine === sockets[0].io.engine);
      sockets.forEach(s => s.close());
      console.log('RESULT ' + JSON.stringify({ sameEngine, events: received }));
      process.exit(0);
    }
  });
}

await Promise.all(sockets.map(socket => new Promise(resolve => socket.connected ? resolve() : socket.once('connect', resolve))));
await publish(config.publish);
