// A test HTTP(S) server in its own process, driven by the test over IPC (process.send):
// {mode: 'ok' | 'error' | 'hang' | 'slow'} changes how it answers, {listen: false|true} stops
// or resumes listening on the same port. Answers {ready, port} after each change.
// argv: port [certFile keyFile]
import { createServer as createHttp } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { readFileSync } from 'node:fs';

const port = Number(process.argv[2]);
const tls = process.argv[3] ? { cert: readFileSync(process.argv[3]), key: readFileSync(process.argv[4]) } : undefined;
let mode = 'ok';
let hits = 0;
const hung = new Set();

function handler(req, res) {
  hits++;
  if (req.url.startsWith('/redirect')) {
    res.writeHead(302, { location: '/' });
    return res.end();
  }
  if (mode === 'hang') {
    hung.add(res);
    res.on('close', () => hung.delete(res));
    return;
  }
  if (mode === 'slow') {
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"ok"}');
    }, 300);
    return;
  }
  if (mode === 'error') {
    res.writeHead(500, { 'content-type': 'text/plain' });
    return res.end('internal error');
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ status: 'ok', auth: req.headers.authorization ?? null }));
}

let server;
function listen(cb) {
  server = tls ? createHttps(tls, handler) : createHttp(handler);
  server.keepAliveTimeout = 100;
  server.listen(port, '127.0.0.1', cb);
}

process.on('message', (m) => {
  if (m.mode) {
    mode = m.mode;
    if (mode !== 'hang') for (const r of hung) r.destroy();
    process.send({ ready: true, port, hits });
  } else if (m.listen === false) {
    for (const r of hung) r.destroy();
    server.close(() => process.send({ ready: true, port, hits }));
    server.closeAllConnections?.();
  } else if (m.listen === true) {
    listen(() => process.send({ ready: true, port, hits }));
  } else if (m.hits) process.send({ ready: true, port, hits });
});
process.on('disconnect', () => process.exit(0));
listen(() => process.send({ ready: true, port, hits }));
