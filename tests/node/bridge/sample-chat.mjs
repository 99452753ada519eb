// Joins samples/SignalRChat with socket.io-client (default transports: polling, then the upgrade), sends one chat
// message with an ack, and reports the ack and the broadcast it received back.
// Usage: node bridge/sample-chat.mjs <url> <user> <message>
// Prints RESULT {"ack":[…],"message":[user, message],"transport":"websocket"}.
import { io } from 'socket.io-client';

const [url, user, text] = process.argv.slice(2);
const socket = io(url, { forceNew: true, reconnection: false });
const deadline = setTimeout(() => { console.error('timed out waiting for the chat round trip'); process.exit(1); }, 20000);

let ack;
let message;
const finish = () => {
  if (ack === undefined || message === undefined) return;
  clearTimeout(deadline);
  const transport = socket.io.engine.transport.name;
  socket.close();
  console.log('RESULT ' + JSON.stringify({ ack, message, transport }));
  process.exit(0);
};

socket.on('connect_error', error => { console.error('connect_error: ' + error.message); process.exit(1); });
socket.on('message', (...args) => { message = args; finish(); });
socket.on('connect', () => {
  // Waiting for the upgrade shows both transports carry the sample's traffic.
  const send = () => socket.emit('Send', user, text, (...args) => { ack = args; finish(); });
  if (socket.io.engine.transport.name === 'websocket') send(); else socket.io.engine.once('upgrade', send);
});
