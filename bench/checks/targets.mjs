// HTTP targets for bench:checks in a process of their own: /t/<n> answers 200 with a small JSON
// body, /hang/<n> never answers (the probe's timeout ends it). Every request's arrival time is
// kept per path; the parent asks for them over IPC ({hits: true}) and gets {path: [ms, ...]}.
import { createServer } from 'node:http';

const hits = new Map();
const server = createServer((req, res) => {
  const t = Date.now();
  const path = req.url ?? '/';
  let list = hits.get(path);
  if (!list) hits.set(path, (list = []));
  list.push(t);
  if (path.startsWith('/hang/')) return; // held open until the client gives up
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"status":"ok"}');
});
server.keepAliveTimeout = 1000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (m) => {
  if (m.hits) process.send({ hits: Object.fromEntries(hits) });
});
