// Connects a Socket.IO client to an instance namespace, emits one event with an ack, and reports the ack's arguments.
// Usage: node hub/socketio-emit.mjs '<json config>'   config: { url, namespace, auth, transports, event, payload, binaryPayload }
// binaryPayload sends a Buffer (a binary attachment) as the payload instead.
// Prints RESULT {"ack":[…],"stillConnected":true}.
import { io } from 'socket.io-client';

const config = JSON.parse(process.argv[2]);
const socket = io(config.url + config.namespace, { forceNew: true, reconnection: false, auth: config.auth, transports: config.transports ?? ['websocket'] });
const deadline = setTimeout(() => { console.error('timed out waiting for the ack'); process.exit(1); }, 20000);

socket.on('connect_error', error => { console.error('connect_error: ' + error.message); process.exit(1); });
socket.on('connect', () => {
  const payload = config.binaryPayload ? { file: Buffer.from([1, 2, 3]) } : config.payload;
  const args = payload === undefined ? [config.event] : [config.event, payload];
  socket.emit(...args, (...ack) => {
    // A second round trip proves the connection survived whatever the payload was.
    socket.emit(config.event, payload ?? null, () => {
      clearTimeout(deadline);
      const stillConnected = socket.connected;
      socket.close();
      console.log('RESULT ' + JSON.stringify({ ack, stillConnected }));
      process.exit(0);
    });
  });
});
