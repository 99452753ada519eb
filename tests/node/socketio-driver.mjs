// Drives real Socket.IO clients for the .NET tests: one JSON command per stdin line, one JSON answer per stdout line.
// Binary values cross as {"$bin":"<base64>"}. Used by tests/EvolutionHub.Testing/SocketIoDriver.cs.
import { io as io4 } from "socket.io-client";
import io2 from "socket.io-client-v2";
import readline from "node:readline";

const clients = new Map();

const toWire = (value) => {
  if (Buffer.isBuffer(value)) return { $bin: value.toString("base64") };
  if (value instanceof ArrayBuffer) return { $bin: Buffer.from(value).toString("base64") };
  if (ArrayBuffer.isView(value)) return { $bin: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64") };
  if (Array.isArray(value)) return value.map(toWire);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toWire(v)]));
  return value;
};
const fromWire = (value) => {
  if (Array.isArray(value)) return value.map(fromWire);
  if (value && typeof value === "object") {
    if (typeof value.$bin === "string") return Buffer.from(value.$bin, "base64");
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromWire(v)]));
  }
  return value;
};

const within = (ms, what, promise) => new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  promise.then((v) => { clearTimeout(timer); resolve(v); }, (e) => { clearTimeout(timer); reject(e); });
});

class Client {
  constructor(socket, version) {
    this.socket = socket;
    this.version = version;
    this.queues = new Map();
    this.waiters = new Map();
    this.disconnects = [];
    this.connects = 0;
    const client = this;
    if (version === 2) {
      // socket.io-client 2.x has no onAny: observe every incoming event packet instead.
      const onevent = socket.onevent;
      socket.onevent = function (packet) {
        const [event, ...args] = packet.data || [];
        client.push(event, args);
        onevent.call(this, packet);
      };
    } else {
      socket.onAny((event, ...args) => this.push(event, args));
    }
    socket.on("connect", () => { this.connects++; this.push("$connect", [socket.id, socket.recovered ?? false]); });
    socket.on("disconnect", (reason) => this.push("$disconnect", [reason]));
  }
  push(event, args) {
    const waiters = this.waiters.get(event);
    if (waiters && waiters.length) { waiters.shift()(args); return; }
    if (!this.queues.has(event)) this.queues.set(event, []);
    this.queues.get(event).push(args);
  }
  next(event) {
    const queue = this.queues.get(event);
    if (queue && queue.length) return Promise.resolve(queue.shift());
    return new Promise((resolve) => {
      if (!this.waiters.has(event)) this.waiters.set(event, []);
      this.waiters.get(event).push(resolve);
    });
  }
  get engine() { return this.version === 2 ? this.socket.io.engine : this.socket.io.engine; }
}

const ops = {
  async connect({ name, url, version = 4, options = {}, timeout = 5000 }) {
    const socket = version === 2
      ? io2(url, { forceNew: false, ...options })
      : io4(url, { ...options });
    const client = new Client(socket, version);
    clients.set(name, client);
    const outcome = await within(timeout, `${name} to connect`, new Promise((resolve) => {
      socket.once("connect", () => resolve({ connected: true, id: socket.id, recovered: socket.recovered ?? false }));
      socket.once("connect_error", (err) => resolve({ connected: false, error: err.message, data: err.data ?? null }));
      socket.once("error", (err) => resolve({ connected: false, error: typeof err === "string" ? err : err?.message ?? String(err) }));
    }));
    return { ...outcome, engineId: socket.io.engine?.id ?? null, transport: socket.io.engine?.transport?.name ?? null };
  },
  async emit({ name, event, args = [], ack = false, ackTimeout, timeout = 5000 }) {
    const { socket } = clients.get(name);
    if (!ack) { socket.emit(event, ...fromWire(args)); return null; }
    if (ackTimeout !== undefined) {
      // socket.io-client's own ack timeout: the callback gets an error when no ack arrives in time.
      return within(timeout, `the ack or ack timeout of ${event}`, new Promise((resolve) => socket.timeout(ackTimeout).emit(event, ...fromWire(args),
        (err, ...reply) => resolve({ timedOut: err ? err.message : null, reply: toWire(reply) }))));
    }
    return within(timeout, `the ack of ${event}`, new Promise((resolve) => socket.emit(event, ...fromWire(args), (...reply) => resolve(toWire(reply)))));
  },
  async reply({ name, event, value, values }) {
    const { socket } = clients.get(name);
    socket.on(event, (...args) => {
      const ack = args.pop();
      if (values) ack(...fromWire(values));
      else ack(value === "$echo" ? args[0] : fromWire(value));
    });
    return null;
  },
  async next({ name, event, timeout = 5000 }) {
    return toWire(await within(timeout, `event ${event} on ${name}`, clients.get(name).next(event)));
  },
  async nextMany({ name, event, count, timeout = 10000 }) {
    const client = clients.get(name);
    const all = [];
    await within(timeout, `${count} × ${event} on ${name} (got ${all.length})`, (async () => { while (all.length < count) all.push(await client.next(event)); })());
    return toWire(all);
  },
  async state({ name }) {
    const { socket } = clients.get(name);
    return { connected: socket.connected, id: socket.id ?? null, recovered: socket.recovered ?? false, engineId: socket.io.engine?.id ?? null, transport: socket.io.engine?.transport?.name ?? null };
  },
  async waitUpgrade({ name, timeout = 5000 }) {
    const { engine } = clients.get(name).socket.io;
    if (engine.transport.name !== "websocket") {
      await within(timeout, "the upgrade to websocket", new Promise((resolve) => engine.once("upgrade", resolve)));
    }
    return null;
  },
  // Closes the client's transport as a network failure would: the socket is not disconnected on purpose and reconnects
  // (by itself, unless its options say reconnection: false) with connection-state recovery.
  async dropTransport({ name }) {
    clients.get(name).socket.io.engine.close();
    return null;
  },
  // Connects a socket again after a disconnection: { connected, id, recovered }.
  async reopen({ name, timeout = 5000 }) {
    const { socket } = clients.get(name);
    return within(timeout, `${name} to connect again`, new Promise((resolve) => {
      socket.once("connect", () => resolve({ connected: true, id: socket.id, recovered: socket.recovered ?? false }));
      socket.once("connect_error", (err) => resolve({ connected: false, error: err.message }));
      socket.connect();
    }));
  },
  async disconnect({ name }) {
    clients.get(name).socket.disconnect();
    return null;
  },
};

const rl = readline.createInterface({ input: process.stdin });
rl.on("line", async (line) => {
  const command = JSON.parse(line);
  try {
    const result = await ops[command.op](command);
    process.stdout.write(JSON.stringify({ id: command.id, ok: true, result: result ?? null }) + "\n");
  } catch (err) {
    process.stdout.write(JSON.stringify({ id: command.id, ok: false, error: String(err?.message ?? err) }) + "\n");
  }
});
rl.on("close", () => {
  for (const { socket } of clients.values()) socket.close();
  process.exit(0);
});
