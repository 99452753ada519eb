// Asks for each namespace on its own Engine.IO connection, naming it exactly as given (through a Manager, so no URL
// parsing turns "?" or "#" into a query or a fragment), and reports what became of each.
// Usage: node hub/socketio-namespaces.mjs '<json config>'   config: { url, namespaces: [..], apikey, transports, waitMs }
// Prints RESULT {"outcomes":[{"namespace","outcome":"connected"|"connect_error"|"closed"|"no answer","message"}]}.
import { Manager } from 'socket.io-client';

const config = JSON.parse(process.argv[2]);
const waitMs = config.waitMs ?? 5000;

function attempt(namespace) {
  const manager = new Manager(config.url, { reconnection: false, transports: config.transports ?? ['websocket'] });
  const socket = manager.socket(namespace, { auth: { apikey: config.apikey } });
  return new Promise(resolve => {
    let finished = false;
    const done = (outcome, message = null) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.close();
      manager.engine?.close();
      resolve({ namespace, outcome, message });
    };
    const timer = setTimeout(() => done('no answer'), waitMs);
    socket.on('connect', () => done('connected'));
    socket.on('connect_error', error => done('connect_error', error.message));
    socket.on('disconnect', reason => done('closed', reason));
    // A CONNECT_ERROR closes the manager before the socket emits connect_error: let that come first.
    manager.on('close', reason => setImmediate(() => done('closed', reason)));
    manager.on('error', error => setImmediate(() => done('closed', String(error?.message ?? error))));
  });
}

const outcomes = await Promise.all(config.namespaces.map(attempt));
console.log('RESULT ' + JSON.stringify({ outcomes }));
process.exit(0);
