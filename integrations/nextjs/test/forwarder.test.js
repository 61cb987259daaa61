'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const { Forwarder } = require('../dist/forwarder.js');
const { startFakeProxy } = require('./fake-proxy.js');

const quiet = () => {};

async function freePort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise((r) => s.close(r));
  return port;
}

test('purges are POSTed with the secret', async () => {
  const proxy = await startFakeProxy();
  const f = new Forwarder({ url: proxy.url, secret: 's3cret', log: quiet });
  f.purge({ kind: 'tag', tag: 'blog', mode: 'stale' });
  f.purge({ kind: 'path', path: '/blog', type: 'layout', mode: 'expire' });
  await f.idle();
  assert.deepEqual(proxy.calls.map((c) => `${c.method} ${c.url}`).sort(), [
    'POST /_revalidate/path/blog?type=layout&mode=expire',
    'POST /_revalidate/tag/blog?mode=stale',
  ]);
  for (const c of proxy.calls) assert.equal(c.headers['x-isr-secret'], 's3cret');
  assert.equal(f.stats.sent, 2);
  f.close();
  await proxy.close();
});

test('tag reports are batched into one call and the build is reported', async () => {
  const proxy = await startFakeProxy();
  const f = new Forwarder({ url: proxy.url, secret: 's', log: quiet, batchDelayMs: 20 });
  f.reportBuild('b1', 'abc123');
  f.reportTags('/blog/a', ['blog', '_N_T_/blog/a']);
  f.reportTags('/blog/b', ['blog', '_N_T_/blog/b']);
  f.reportTags('/blog/a', ['blog', 'post-a', '_N_T_/blog/a']); // the later report of a page wins
  await new Promise((r) => setTimeout(r, 60));
  await f.idle();
  const build = proxy.calls.find((c) => c.url === '/_revalidate/next/build');
  assert.deepEqual(build.json, { buildId: 'b1', previewModeId: 'abc123' });
  assert.equal(build.headers['content-type'], 'application/json');
  const tagCalls = proxy.calls.filter((c) => c.url === '/_revalidate/next/tags');
  assert.equal(tagCalls.length, 1);
  assert.deepEqual(tagCalls[0].json, {
    pages: [
      { path: '/blog/a', tags: ['blog', 'post-a', '_N_T_/blog/a'] },
      { path: '/blog/b', tags: ['blog', '_N_T_/blog/b'] },
    ],
  });
  f.close();
  await proxy.close();
});

test('more than 1000 pages are split into calls of at most 1000', async () => {
  const proxy = await startFakeProxy();
  const f = new Forwarder({ url: proxy.url, log: quiet, batchDelayMs: 5 });
  for (let i = 0; i < 2500; i++) f.reportTags(`/p/${i}`, ['t']);
  await f.idle();
  const sizes = proxy.calls.map((c) => c.json.pages.length).sort((a, b) => b - a);
  assert.deepEqual(sizes, [1000, 1000, 500]);
  f.close();
  await proxy.close();
});

test('an unreachable proxy is retried with backoff and the call arrives once it is back', async () => {
  const port = await freePort();
  const logs = [];
  const f = new Forwarder({ url: `http://127.0.0.1:${port}`, log: (m) => logs.push(m), baseDelayMs: 50, maxDelayMs: 200, maxAttempts: 50 });
  f.purge({ kind: 'tag', tag: 'blog', mode: 'expire' });
  f.purge({ kind: 'tag', tag: 'news', mode: 'expire' });
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(f.stats.retries >= 2, `retries: ${f.stats.retries}`);
  const proxy = await startFakeProxy({ port });
  await proxy.waitFor((calls) => calls.length >= 2, 3000);
  await f.idle();
  assert.deepEqual(proxy.calls.map((c) => c.url).sort(), ['/_revalidate/tag/blog?mode=expire', '/_revalidate/tag/news?mode=expire']);
  // the failure was logged once, however many attempts failed, and the recovery once
  assert.equal(logs.filter((l) => l.includes('retrying')).length, 1, logs.join('\n'));
  assert.equal(logs.filter((l) => l.includes('accepts calls again')).length, 1, logs.join('\n'));
  f.close();
  await proxy.close();
});

test('5xx answers are retried, 4xx answers are not', async () => {
  let failures = 2;
  const proxy = await startFakeProxy({
    respond: (c) => (c.url.includes('flaky') ? (failures-- > 0 ? 503 : 200) : 401),
  });
  const logs = [];
  const f = new Forwarder({ url: proxy.url, log: (m) => logs.push(m), baseDelayMs: 10 });
  f.purge({ kind: 'tag', tag: 'flaky', mode: 'stale' });
  f.purge({ kind: 'tag', tag: 'denied', mode: 'stale' });
  await f.idle();
  assert.equal(proxy.calls.filter((c) => c.url.includes('flaky')).length, 3);
  assert.equal(proxy.calls.filter((c) => c.url.includes('denied')).length, 1);
  assert.equal(f.stats.failed, 1);
  assert.ok(logs.some((l) => l.includes('HTTP 401') && l.includes('ISRPROXY_SECRET')), logs.join('\n'));
  // a refusal is logged once, and successes in between do not make it log again
  f.purge({ kind: 'tag', tag: 'denied', mode: 'stale' });
  await f.idle();
  assert.equal(logs.filter((l) => l.includes('HTTP 401')).length, 1, logs.join('\n'));
  assert.equal(logs.filter((l) => l.includes('accepts calls again')).length, 1, logs.join('\n'));
  f.close();
  await proxy.close();
});

test('a call is given up after maxAttempts', async () => {
  const proxy = await startFakeProxy({ respond: () => 500 });
  const f = new Forwarder({ url: proxy.url, log: quiet, baseDelayMs: 5, maxAttempts: 3 });
  f.purge({ kind: 'tag', tag: 'x', mode: 'stale' });
  await f.idle();
  assert.equal(proxy.calls.length, 3);
  assert.equal(f.stats.failed, 1);
  f.close();
  await proxy.close();
});

test('the queue is bounded: the oldest calls are dropped while the proxy is away', async () => {
  const port = await freePort();
  const logs = [];
  const f = new Forwarder({ url: `http://127.0.0.1:${port}`, log: (m) => logs.push(m), maxQueue: 10, concurrency: 1, baseDelayMs: 1000 });
  for (let i = 0; i < 100; i++) f.purge({ kind: 'tag', tag: 't' + i, mode: 'stale' });
  assert.ok(f.stats.queued <= 10, `queued ${f.stats.queued}`);
  assert.ok(f.stats.dropped >= 89, `dropped ${f.stats.dropped}`);
  assert.equal(logs.filter((l) => l.includes('queue full')).length, 1);
  f.close();
});

test('identical waiting calls are sent once', async () => {
  const proxy = await startFakeProxy();
  proxy.setDelay(100);
  const f = new Forwarder({ url: proxy.url, log: quiet, concurrency: 1 });
  f.purge({ kind: 'tag', tag: 'first', mode: 'stale' }); // in flight
  for (let i = 0; i < 5; i++) f.purge({ kind: 'tag', tag: 'same', mode: 'stale' });
  await f.idle();
  assert.equal(proxy.calls.filter((c) => c.url.includes('same')).length, 1);
  f.close();
  await proxy.close();
});

test('a hanging proxy times out and the caller is never blocked', async () => {
  const proxy = await startFakeProxy();
  proxy.setDelay(2000);
  const f = new Forwarder({ url: proxy.url, log: quiet, timeoutMs: 100, maxAttempts: 1 });
  const started = process.hrtime.bigint();
  for (let i = 0; i < 50; i++) f.purge({ kind: 'tag', tag: 't' + i, mode: 'stale' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  assert.ok(ms < 50, `enqueueing took ${ms} ms`);
  f.close();
  await proxy.close();
});

test('a bad URL is refused at construction', () => {
  assert.throws(() => new Forwarder({ url: 'ftp://x' }));
});
