// The Node.js stack Evolution API runs, as the benchmark's baseline: socket.io 4.8 with one dynamic namespace per
// instance authenticated by auth.apikey, POST /api/events as EvolutionHub answers it, and, given REDIS_URL,
// @socket.io/redis-adapter so several processes form a farm.
import http from 'node:http';
import { Server } from 'socket.io';

const apiKey = process.env.AUTHENTICATION_API_KEY;
const port = Number(process.env.PORT ?? 8090);
const maxBodyBytes = 32 * 1024 * 1024;
if (!apiKey) {
  console.error('AUTHENTICATION_API_KEY is required');
  process.exit(1);
}

const httpServer = http.createServer(handleHttp);
const io = new Server(httpServer, { cors: { origin: '*' } });

if (process.env.REDIS_URL) {
  const { createClient } = await import('redis');
  const { createAdapter } = await import('@socket.io/redis-adapter');
  const publisher = createClient({ url: process.env.REDIS_URL });
  const subscriber = publisher.duplicate();
  await Promise.all([publisher.connect(), subscriber.connect()]);
  io.adapter(createAdapter(publisher, subscriber));
}

io.of(/^\/.+$/).use((socket, next) => {
  if (socket.handshake.auth?.apikey === apiKey) next();
  else next(new Error('Unauthorized'));
});

function handleHttp(request, response) {
  const path = request.url.split('?')[0];
  if (request.method === 'GET' && path === '/health/live') {
    response.end('Healthy');
  } else if (request.method === 'POST' && path === '/api/events') {
    publish(request, response);
  } else {
    response.writeHead(404).end();
  }
}

function publish(request, response) {
  if (request.headers.apikey !== apiKey) {
    response.writeHead(401).end();
    return;
  }
  const chunks = [];
  let size = 0;
  request.on('data', (chunk) => {
    size += chunk.length;
    if (size > maxBodyBytes) request.destroy();
    else chunks.push(chunk);
  });
  request.on('end', () => {
    let envelopes;
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      envelopes = Array.isArray(body) ? body : [body];
    } catch {
      response.writeHead(400).end();
      return;
    }
    if (!envelopes.every((e) => e && typeof e.event === 'string' && typeof e.instance === 'string')) {
      response.writeHead(400).end();
      return;
    }
    for (const envelope of envelopes) {
      const name = envelope.event.toLowerCase();
      io.of(`/${envelope.instance}`).emit(name, {
        event: name,
        instance: envelope.instance,
        data: envelope.data ?? null,
        server_url: envelope.server_url ?? null,
        date_time: envelope.date_time ?? new Date().toISOString(),
        sender: envelope.sender ?? null,
      });
    }
    response.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted: envelopes.length }));
  });
}

httpServer.listen(port, '127.0.0.1');
