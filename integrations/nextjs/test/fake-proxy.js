'use strict';
// A stand-in for IsrProxy's purge API: records every call and answers as told.
const http = require('node:http');

/** Starts the fake proxy on a free loopback port. `respond(req, body)` may return a status (default 200). */
async function startFakeProxy(options = {}) {
  const calls = [];
  const waiters = [];
  let respond = options.respond ?? (() => 200);
  let delayMs = 0;
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const call = { method: req.method, url: req.url, headers: req.headers, body, json: body ? safeJson(body) : undefined };
      calls.push(call);
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      const status = respond(call) ?? 200;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(status === 200 ? '{"revalidated":true}' : '{"message":"no"}');
      for (const w of waiters.splice(0)) w();
    });
  });
  await new Promise((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = server.address().port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    calls,
    setRespond(fn) { respond = fn; },
    setDelay(ms) { delayMs = ms; },
    async waitFor(predicate, timeoutMs = 5000) {
      const until = Date.now() + timeoutMs;
      while (!predicate(calls)) {
        if (Date.now() > until) throw new Error('timed out waiting; calls: ' + JSON.stringify(calls.map((c) => c.url)));
        await new Promise((r) => { waiters.push(r); setTimeout(r, 20); });
      }
    },
    close() {
      server.closeAllConnections?.();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function safeJson(s) {
  try { return JSON.parse(s); } catch { return undefined; }
}

module.exports = { startFakeProxy };
