'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { createCacheHandlerClass, createState, settingsFromEnv, withIsrProxy, cacheHandlerPath } = require('../dist/index.js');
const { startFakeProxy } = require('./fake-proxy.js');

/** A stand-in for Next.js's file-system cache: a map, with every call recorded. */
class FakeInner {
  static store = new Map();
  static calls = [];
  constructor(ctx) { this.ctx = ctx; FakeInner.calls.push(['new']); }
  async get(key) { FakeInner.calls.push(['get', key]); return FakeInner.store.get(key) ?? null; }
  async set(key, data) { FakeInner.calls.push(['set', key]); FakeInner.store.set(key, { lastModified: Date.now(), value: data }); }
  async revalidateTag(tags, durations) { FakeInner.calls.push(['revalidateTag', tags, durations]); }
  resetRequestCache() { FakeInner.calls.push(['reset']); }
}

function makeDist() {
  const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'isrproxy-next-'));
  fs.mkdirSync(path.join(dist, 'server'));
  fs.writeFileSync(path.join(dist, 'prerender-manifest.json'), JSON.stringify({ version: 4, routes: {}, preview: { previewModeId: 'feedface', previewModeSigningKey: 'x', previewModeEncryptionKey: 'y' } }));
  fs.writeFileSync(path.join(dist, 'BUILD_ID'), 'build-42\n');
  return path.join(dist, 'server');
}

async function setup(envExtra = {}) {
  const proxy = await startFakeProxy();
  const logs = [];
  const settings = settingsFromEnv({ ISRPROXY_URL: proxy.url, ISRPROXY_SECRET: 'sec', ...envExtra });
  const state = createState(settings, (m) => logs.push(m));
  FakeInner.store.clear();
  FakeInner.calls.length = 0;
  const Handler = createCacheHandlerClass({ Inner: FakeInner, state, buildPhase: () => false });
  const serverDistDir = makeDist();
  const ctx = (headers = { host: 'localhost' }) => ({ fs: {}, serverDistDir, revalidatedTags: [], _requestHeaders: headers });
  return { proxy, logs, state, Handler, ctx, async done() { await state.forwarder.idle(); state.forwarder.close(); await proxy.close(); } };
}

const appPage = (tags) => ({ kind: 'APP_PAGE', html: '<p>hi</p>', rscData: Buffer.from(''), headers: { 'x-next-cache-tags': tags }, status: 200 });

test('settings come from the environment; no URL turns forwarding off', () => {
  assert.equal(settingsFromEnv({}), null);
  assert.equal(settingsFromEnv({ ISRPROXY_URL: 'http://x', ISRPROXY_DISABLED: 'true' }), null);
  const s = settingsFromEnv({ ISRPROXY_URL: 'http://x:1', ISRPROXY_SECRET: 'k', ISRPROXY_QUEUE_MAX: '5', ISRPROXY_ON_DEMAND_MODE: 'expire' });
  assert.equal(s.url, 'http://x:1');
  assert.equal(s.secret, 'k');
  assert.equal(s.forwarder.maxQueue, 5);
  assert.equal(s.onDemandMode, 'expire');
});

test('withIsrProxy sets cacheHandler in one line, for objects and functions', async () => {
  assert.deepEqual(withIsrProxy({ reactStrictMode: true }), { reactStrictMode: true, cacheHandler: cacheHandlerPath });
  const fromFn = await withIsrProxy(async () => ({ a: 1 }))('phase', {});
  assert.equal(fromFn.cacheHandler, cacheHandlerPath);
  assert.ok(fs.existsSync(cacheHandlerPath));
  assert.throws(() => withIsrProxy({ cacheHandler: '/elsewhere.js' }), /already sets cacheHandler/);
  assert.equal(typeof require(cacheHandlerPath), 'function');
});

test("Next.js's own caching is kept: calls reach the inner handler and its answers come back", async () => {
  const t = await setup();
  const h = new t.Handler(t.ctx());
  const value = appPage('a,b');
  await h.set('/route-cache/APP_PAGE/abc/$/p', value, { kind: 'APP_PAGE', cacheControl: { revalidate: 5 } });
  const got = await h.get('/route-cache/APP_PAGE/abc/$/p', { kind: 'APP_PAGE' });
  assert.equal(got.value, value);
  await h.revalidateTag(['a'], { expire: 0 });
  h.resetRequestCache();
  assert.deepEqual(FakeInner.calls.map((c) => c[0]), ['new', 'set', 'get', 'revalidateTag', 'reset']);
  assert.deepEqual(FakeInner.calls[3].slice(1), [['a'], { expire: 0 }]);
  await t.done();
});

test('the build and its previewModeId are reported once', async () => {
  const t = await setup();
  new t.Handler(t.ctx());
  new t.Handler(t.ctx());
  await t.state.forwarder.idle();
  const builds = t.proxy.calls.filter((c) => c.url === '/_revalidate/next/build');
  assert.equal(builds.length, 1);
  assert.deepEqual(builds[0].json, { buildId: 'build-42', previewModeId: 'feedface' });
  assert.equal(builds[0].headers['x-isr-secret'], 'sec');
  await t.done();
});

test('page tags from set() and get() are reported, once per page until they change', async () => {
  const t = await setup();
  const h = new t.Handler(t.ctx());
  await h.set('/route-cache/APP_PAGE/abc/$/blog/a', appPage('blog,_N_T_/layout,_N_T_/blog/a'), { kind: 'APP_PAGE' });
  await h.get('/route-cache/APP_PAGE/abc/$/blog/a', { kind: 'APP_PAGE' });
  await h.get('/route-cache/APP_PAGE/abc/$/blog/a', { kind: 'APP_PAGE' });
  FakeInner.store.set('/route-cache/APP_PAGE/abc/$/index', { lastModified: 1, value: appPage('home,_N_T_/') });
  await h.get('/route-cache/APP_PAGE/abc/$/index', { kind: 'APP_PAGE' });
  // fetch cache entries carry no page
  await h.set('deadbeef', { kind: 'FETCH', data: {}, tags: ['blog'] }, { fetchCache: true, tags: ['blog'] });
  await new Promise((r) => setTimeout(r, 60));
  await t.state.forwarder.idle();
  const pages = t.proxy.calls.filter((c) => c.url === '/_revalidate/next/tags').flatMap((c) => c.json.pages);
  assert.deepEqual(pages, [
    { path: '/blog/a', tags: ['blog', '_N_T_/layout', '_N_T_/blog/a'] },
    { path: '/', tags: ['home', '_N_T_/'] },
  ]);
  // a page whose tags change is reported again
  await h.set('/route-cache/APP_PAGE/abc/$/blog/a', appPage('blog,post-a,_N_T_/blog/a'), { kind: 'APP_PAGE' });
  await new Promise((r) => setTimeout(r, 60));
  await t.state.forwarder.idle();
  const later = t.proxy.calls.filter((c) => c.url === '/_revalidate/next/tags').flatMap((c) => c.json.pages);
  assert.deepEqual(later.at(-1), { path: '/blog/a', tags: ['blog', 'post-a', '_N_T_/blog/a'] });
  await t.done();
});

test('revalidateTag, updateTag and revalidatePath reach the purge API with the right mode and type', async () => {
  const t = await setup();
  const h = new t.Handler(t.ctx());
  await h.revalidateTag(['posts'], { expire: 31536000 }); // revalidateTag('posts', 'max')
  await h.revalidateTag(['cart']); // updateTag('cart')
  await h.revalidateTag(['_N_T_/blog/layout']); // revalidatePath('/blog', 'layout')
  await h.revalidateTag(['_N_T_/', '_N_T_/index']); // revalidatePath('/')
  await h.revalidateTag('_N_T_/blog/[slug]/page'); // revalidatePath('/blog/[slug]', 'page')
  await t.state.forwarder.idle();
  const purges = t.proxy.calls.filter((c) => c.url.startsWith('/_revalidate/') && !c.url.startsWith('/_revalidate/next/')).map((c) => c.url).sort();
  assert.deepEqual(purges, [
    '/_revalidate/path/%2F?type=page&mode=expire',
    '/_revalidate/path/blog?type=layout&mode=expire',
    '/_revalidate/tag/_N_T_%2Fblog%2F%5Bslug%5D%2Fpage?mode=expire',
    '/_revalidate/tag/cart?mode=expire',
    '/_revalidate/tag/posts?mode=stale',
  ]);
  await t.done();
});

test("res.revalidate (Next's internal request: x-prerender-revalidate, no Host) purges the page and its data URL", async () => {
  const t = await setup();
  const h = new t.Handler(t.ctx({ 'x-prerender-revalidate': 'feedface', 'x-forwarded-host': 'localhost' }));
  await h.set('/route-cache/PAGES/abc/$/posts/1', { kind: 'PAGES', html: 'x', pageData: {}, headers: {}, status: 200 }, { kind: 'PAGES' });
  await t.state.forwarder.idle();
  const purges = t.proxy.calls.filter((c) => c.url.startsWith('/_revalidate/path/')).map((c) => c.url).sort();
  assert.deepEqual(purges, [
    '/_revalidate/path/_next/data/build-42/posts/1.json?type=page&mode=refresh',
    '/_revalidate/path/posts/1?type=page&mode=refresh',
  ]);
  await t.done();
});

test("the proxy's own fills (x-prerender-revalidate with a Host) purge nothing: no loop", async () => {
  const t = await setup();
  const h = new t.Handler(t.ctx({ host: '127.0.0.1:3000', 'x-prerender-revalidate': 'feedface' }));
  await h.set('/route-cache/PAGES/abc/$/posts/1', { kind: 'PAGES', html: 'x', pageData: {}, headers: {}, status: 200 }, { kind: 'PAGES' });
  await t.state.forwarder.idle();
  assert.equal(t.proxy.calls.filter((c) => c.url.startsWith('/_revalidate/path/')).length, 0);
  await t.done();
});

test('nothing is sent during next build', async () => {
  const proxy = await startFakeProxy();
  const state = createState(settingsFromEnv({ ISRPROXY_URL: proxy.url }), () => {});
  const Handler = createCacheHandlerClass({ Inner: FakeInner, state, buildPhase: () => true });
  const h = new Handler({ fs: {}, serverDistDir: makeDist(), _requestHeaders: {} });
  await h.set('/route-cache/APP_PAGE/abc/$/p', appPage('t'), { kind: 'APP_PAGE' });
  await h.revalidateTag(['t']);
  await new Promise((r) => setTimeout(r, 60));
  await state.forwarder.idle();
  assert.equal(proxy.calls.length, 0);
  state.forwarder.close();
  await proxy.close();
});

test('with the proxy down, revalidateTag and set return at once and never throw', async () => {
  const state = createState(settingsFromEnv({ ISRPROXY_URL: 'http://127.0.0.1:9' }), () => {});
  const Handler = createCacheHandlerClass({ Inner: FakeInner, state, buildPhase: () => false });
  const h = new Handler({ fs: {}, serverDistDir: makeDist(), _requestHeaders: {} });
  const started = Date.now();
  for (let i = 0; i < 200; i++) {
    await h.revalidateTag(['t' + i]);
    await h.set(`/route-cache/APP_PAGE/abc/$/p${i}`, appPage('t' + i), { kind: 'APP_PAGE' });
  }
  assert.ok(Date.now() - started < 500);
  state.forwarder.close();
});

test('errors of the inner handler are Next.js\'s to see, unchanged', async () => {
  class Failing extends FakeInner { async set() { throw new Error('disk full'); } }
  const state = createState(null, () => {});
  const Handler = createCacheHandlerClass({ Inner: Failing, state, buildPhase: () => false });
  const h = new Handler({ fs: {}, serverDistDir: makeDist(), _requestHeaders: {} });
  await assert.rejects(h.set('/x', appPage('a'), { kind: 'APP_PAGE' }), /disk full/);
});
