// Connects @microsoft/signalr to /hubs/events, subscribes, publishes over HTTP, and reports the events received.
// Usage: node hub/signalr-listen.mjs '<json config>'
// config: { url, accessToken, transport: "WebSockets"|"ServerSentEvents"|"LongPolling", messagePack, subscribe: [instances], events: [names], expect, publish: { url, apikey, body } }
// Prints RESULT {"events":[{"name","envelope"}]} or RESULT {"startError":"…"}.
import * as signalR from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { publish } from './publish.mjs';

const config = JSON.parse(process.argv[2]);
const builder = new signalR.HubConnectionBuilder()
  .withUrl(config.url + '/hubs/events', {
    transport: signalR.HttpTransportType[config.transport ?? 'WebSockets'],
    accessTokenFactory: config.accessToken ? () => config.accessToken : undefined,
  })
  .configureLogging(signalR.LogLevel.None);
if (config.messagePack) builder.withHubProtocol(new MessagePackHubProtocol());
const connection = builder.build();

const received = [];
const deadline = setTimeout(() => {
  console.error(`timed out: ${received.length} of ${config.expect} events received: ${JSON.stringify(received)}`);
  process.exit(1);
}, 20000);

async function finish(result) {
  clearTimeout(deadline);
  await connection.stop();
  console.log('RESULT ' + JSON.stringify(result));
  process.exit(0);
}

for (const name of config.events ?? []) {
  connection.on(name, envelope => {
    received.push({ name, envelope });
    if (received.length >= config.expect) finish({ events: received });
  });
}

try {
  await connection.start();
} catch (error) {
  await finish({ startError: String(error.message ?? error) });
}
for (const instance of config.subscribe ?? []) await connection.invoke('Subscribe', instance);
await publish(config.publish);
