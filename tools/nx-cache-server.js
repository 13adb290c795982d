#!/usr/bin/env node
// A self-hosted Nx remote cache over one folder (Nx's OpenAPI protocol:
// GET and PUT /v1/cache/<hash>), on loopback. It lets several clones or
// machines share one cache folder, which Nx's local database cache does not:
//   node tools/nx-cache-server.js <folder> [port]   -> prints its URL
//   NX_SELF_HOSTED_REMOTE_CACHE_SERVER=<url> nx run-many -t build-image
const { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync } = require('node:fs');
const { createServer } = require('node:http');
const { join } = require('node:path');
const { pipeline } = require('node:stream/promises');

const [dir, port = '0'] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node tools/nx-cache-server.js <folder> [port]');
  process.exit(2);
}
mkdirSync(dir, { recursive: true });

const server = createServer((req, res) => {
  const hash = /^\/v1\/cache\/([A-Za-z0-9]+)$/.exec(req.url ?? '')?.[1];
  if (!hash) return void res.writeHead(404).end();
  const file = join(dir, `${hash}.tar`);
  if (req.method === 'GET') {
    if (!existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
    return void createReadStream(file).pipe(res);
  }
  if (req.method === 'PUT') {
    // Entries are immutable: a hash names one set of outputs.
    if (existsSync(file)) return void res.writeHead(409).end();
    const partial = `${file}.partial-${process.pid}-${Date.now()}`;
    pipeline(req, createWriteStream(partial)).then(
      () => {
        renameSync(partial, file);
        res.writeHead(200).end();
      },
      () => {
        rmSync(partial, { force: true });
        res.writeHead(500).end();
      },
    );
    return;
  }
  res.writeHead(405).end();
});
server.listen(Number(port), '127.0.0.1', () => console.log(`http://127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
