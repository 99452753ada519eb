// Connects a Socket.IO client to the hub, publishes over HTTP once connected, and reports the events received.
// Usage: node hub/socketio-listen.mjs '<json config>'
// config: { url, namespace, client: "v4"|"v2", auth, query, extraHeaders, transports, path, rawEvents, events: [names], expect,
//          probe: { url, apikey, method, body } (requested once connected, its JSON answer reported),
//          expectDisconnect (finish when the server disconnects the socket), publish: { url, apikey, body } }
// path is the client's Engine.IO path option; rawEvents adds "raw": the text of every Engine.IO message carrying an event,
// as it came over the wire, before JavaScript parses its JSON.
// Prints RESULT {"events":[{"name","envelope"}],"probe":…,"raw":[…]}, RESULT {"disconnected":"<reason>","probe":…} or RESULT {"connectError":"…"}.
import { createRequire } from 'node:module';
import { publish } from './publish.mjs';

const require = createRequire(import.meta.url);
const config = JSON.parse(process.argv[2]);
const { io } = config.client === 'v2' ? { io: require('socket.io-client-v2') } : await import('socket.io-client');

const options = { forceNew: true, reconnection: false, timeout: 10000 };
if (config.transports) options.transports = config.transports;
if (config.auth) options.auth = config.auth;
if (config.query) options.query = config.query;
if (config.extraHeaders) options.extraHeaders = config.extraHeaders;
if (config.path) options.path = config.path;
const socket = io(config.url + config.namespace, options);

const received = [];
const raw = [];
// The engine reports each packet before the Socket.IO layer decodes it into an event.
socket.io.on('open', () => {
  if (!config.rawEvents) return;
  socket.io.engine.on('packet', packet => {
    if (packet.type === 'message' && typeof packet.data === 'string' && packet.data.startsWith('2')) raw.push(packet.data);
  });
});
let probe = null;
const deadline = setTimeout(() => {
  console.error(`timed out: ${received.length} of ${config.expect} events received: ${JSON.stringify(received)}`);
  process.exit(1);
}, 20000);

function finish(result) {
  clearTimeout(deadline);
  socket.close();
  console.log('RESULT ' + JSON.stringify(result));
  process.exit(0);
}

for (const name of config.events ?? []) {
  socket.on(name, envelope => {
    received.push({ name, envelope });
    if (received.length >= config.expect) finish({ events: received, probe, raw });
  });
}

socket.on('connect_error', error => finish({ connectError: error.message }));
socket.on('error', error => finish({ connectError: typeof error === 'string' ? error : error.message }));
socket.on('connect', async () => {
  // The server may cut the socket before the probe's own answer is read: report once both are in.
  let probeDone = !config.probe;
  let disconnected = null;
  if (config.expectDisconnect) {
    socket.on('disconnect', reason => {
      disconnected = reason;
      if (probeDone) finish({ disconnected, probe });
    });
  }
  if (config.probe) {
    const answer = await fetch(config.probe.url, {
      method: config.probe.method ?? 'GET',
      headers: { apikey: config.probe.apikey, 'content-type': 'application/json' },
      body: config.probe.body === undefined ? undefined : JSON.stringify(config.probe.body),
    });
    const text = await answer.text();
    probe = { status: answer.status, body: text ? JSON.parse(text) : null };
    probeDone = true;
    if (disconnected !== null) finish({ disconnected, probe });
  }
  if (config.expectDisconnect) return;
  if (!config.publish) {
    if (config.expect === 0) finish({ events: [], probe });
    return;
  }
  await publish(config.publish);
});
