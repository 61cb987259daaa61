// End-to-end assertions against IsrProxy in front of `next start` (see ../run.sh, which sets the environment).
import test from 'node:test';
import assert from 'node:assert/strict';

const PROXY = process.env.PROXY_URL;
const NEXT = process.env.NEXT_URL;
const DATA = process.env.DATA_URL;
const SECRET = process.env.ISR_SECRET;
if (!PROXY || !NEXT || !DATA) throw new Error('PROXY_URL, NEXT_URL and DATA_URL must be set (run ../run.sh)');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Set by the first test: whether the proxy runs the Next.js endpoints. Tests whose outcome depends on them say so.
let nextEndpoints = 'unknown';
const needsNext = () =>
  nextEndpoints === 'missing'
    ? ' [the proxy answered 404 to /_revalidate/next/*: without Isr:NextJs support it neither knows page tags nor ' +
      'asks Next.js for a fresh render after a purge, and it stores Next.js\'s STALE answers as fresh]'
    : '';

async function get(path, init = {}) {
  const res = await fetch(PROXY + path, { redirect: 'manual', ...init });
  const body = await res.text();
  const attr = (name) => {
    const m = new RegExp(`${name}="([^"]*)"`).exec(body);
    return m ? m[1] : undefined;
  };
  return {
    status: res.status,
    headers: res.headers,
    body,
    cache: res.headers.get('x-isr-cache'),
    value: attr('data-value'),
    renderedAt: Number(attr('data-rendered-at')),
    renderMs: Number(attr('data-render-ms') ?? 0),
  };
}

async function setData(name, value) {
  const res = await fetch(`${DATA}/value/${encodeURIComponent(name)}?value=${encodeURIComponent(value)}`, { method: 'POST' });
  assert.equal(res.status, 200);
}

async function renders(key) {
  return (await (await fetch(`${DATA}/renders/${encodeURIComponent(key)}`)).json()).count;
}

/** Polls `path` through the proxy until its data-value is `expected`; fails after `ms` with what it saw. */
async function expectValueWithin(path, expected, ms, since = Date.now()) {
  const seen = [];
  for (;;) {
    const r = await get(path);
    seen.push(`${Date.now() - since}ms ${r.status} ${r.cache} ${r.value}`);
    if (r.value === expected) return Date.now() - since;
    if (Date.now() - since > ms) {
      assert.fail(`${path} did not show "${expected}" within ${ms} ms through the proxy${needsNext()}; answers:\n  ${seen.slice(-12).join('\n  ')}`);
    }
    await sleep(100);
  }
}

function unique(prefix) {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}

test('the proxy has the Next.js endpoints (Isr:NextJs:Enabled)', async () => {
  const res = await fetch(`${PROXY}/_revalidate/next/tags`, {
    method: 'POST',
    headers: { 'x-isr-secret': SECRET, 'content-type': 'application/json' },
    body: JSON.stringify({ pages: [] }),
  });
  nextEndpoints = res.status === 404 ? 'missing' : 'present';
  assert.equal(res.status, 200, `POST /_revalidate/next/tags answered ${res.status}: the proxy lacks the Next.js endpoints, so tags reported by the package are not used`);
});

test('the package told the proxy the build (its preview-mode id), so the proxy can have Next render', async () => {
  // next start reports the build when it starts, retrying while the proxy is not up yet: wait for it, as a deployment
  // would, before judging what visitors see.
  const deadline = Date.now() + 60000;
  let nextJs;
  for (;;) {
    const res = await fetch(`${PROXY}/_isr/stats`, { headers: { 'x-isr-secret': SECRET } });
    nextJs = (await res.json()).nextJs;
    if (nextJs?.previewModeIdKnown) break;
    if (Date.now() > deadline) assert.fail(`the proxy never learned the build: ${JSON.stringify(nextJs)}`);
    await sleep(200);
  }
  assert.ok(nextJs.buildId, 'the build id is reported');
});

test('the pages answer through the proxy and are cached', async () => {
  const first = await get('/tagged');
  assert.equal(first.status, 200);
  const second = await get('/tagged');
  assert.equal(second.status, 200);
  assert.equal(second.cache, 'HIT', `second request to /tagged: X-Isr-Cache ${second.cache}`);
});

test('time-based ISR: content is never older than one revalidate period + render time + 1 s', async () => {
  const revalidateMs = 3000;
  const until = Date.now() + 12000;
  const violations = [];
  let worst = 0;
  let answers = 0;
  while (Date.now() < until) {
    const sent = Date.now();
    const r = await get('/timed');
    assert.equal(r.status, 200);
    answers++;
    const age = sent - r.renderedAt; // measured from when the request left: the answer's own transit is not held against it
    const allowed = revalidateMs + r.renderMs + 1000;
    worst = Math.max(worst, age);
    if (age > allowed) violations.push(`${new Date(sent).toISOString()} age ${age} ms > ${allowed} ms (${r.cache})`);
    await sleep(200);
  }
  assert.ok(answers > 20);
  assert.deepEqual(violations, [], `oldest content seen: ${worst} ms${needsNext()}`);
});

test("revalidateTag in a route handler shows new content through the proxy within 2 s", async () => {
  await get('/tagged');
  const value = unique('tag');
  await setData('tagged', value);
  const since = Date.now();
  const res = await fetch(`${PROXY}/api/revalidate?tag=items`, { method: 'POST' });
  assert.equal(res.status, 200);
  await expectValueWithin('/tagged', value, 2000, since);
});

test("revalidateTag(tag, 'max') in a route handler shows new content through the proxy within 2 s", async () => {
  await get('/tagged');
  const value = unique('max');
  await setData('tagged', value);
  const since = Date.now();
  const res = await fetch(`${PROXY}/api/revalidate?tag=items&profile=max`, { method: 'POST' });
  assert.equal(res.status, 200);
  await expectValueWithin('/tagged', value, 2000, since);
});

test('revalidatePath in a route handler shows new content through the proxy within 2 s', async () => {
  await get('/tagged');
  const value = unique('path');
  await setData('tagged', value);
  const since = Date.now();
  const res = await fetch(`${PROXY}/api/revalidate?path=/tagged`, { method: 'POST' });
  assert.equal(res.status, 200);
  await expectValueWithin('/tagged', value, 2000, since);
});

test('a tag purge at the proxy shows new data within 2 s (tags learnt from the package, no rule names them)', async () => {
  await get('/items/b');
  await get('/items/b');
  const value = unique('purge');
  await setData('item-b', value);
  const since = Date.now();
  const res = await fetch(`${PROXY}/_revalidate/tag/item-b`, { method: 'POST', headers: { 'x-isr-secret': SECRET } });
  assert.equal(res.status, 200, `purge answered ${res.status}`);
  await expectValueWithin('/items/b', value, 2000, since);
});

test('200 concurrent first requests for a new slug reach Next.js once', async () => {
  const slug = unique('new');
  const before = await originRequests();
  const answers = await Promise.all(Array.from({ length: 200 }, () => get(`/posts/${slug}`)));
  const after = await originRequests();
  const statuses = [...new Set(answers.map((a) => a.status))];
  assert.deepEqual(statuses, [200]);
  const classes = {};
  for (const a of answers) classes[a.cache] = (classes[a.cache] ?? 0) + 1;
  const detail = `proxy answers by class: ${JSON.stringify(classes)}; renders the page counted: ${await renders(`post-${slug}`)}`;
  assert.equal(after.fill - before.fill, 1, `origin requests for misses; ${detail}`);
  assert.equal(after.forward - before.forward, 0, `requests forwarded past the cache; ${detail}`);
});

// The proxy's own count of the requests it sent to Next.js, by purpose (isr_origin_requests_total on /metrics).
async function originRequests() {
  const text = await (await fetch(`${PROXY}/metrics`)).text();
  const count = { fill: 0, forward: 0 };
  for (const line of text.split('\n')) {
    const m = /^isr_origin_requests_total\{([^}]*)\} (\d+(?:\.\d+)?)/.exec(line);
    const purpose = m && /purpose="([^"]+)"/.exec(m[1])?.[1];
    if (purpose && purpose in count) count[purpose] += Number(m[2]);
  }
  return count;
}

test('dynamicParams = false: an unknown slug is a 404 with the site\'s not-found page', async () => {
  const r = await get('/items/not-a-slug');
  assert.equal(r.status, 404);
  assert.match(r.body, /could not be found/i);
});

test('draft mode bypasses the cache', async () => {
  const published = await get('/draft');
  assert.equal(published.status, 200);
  const enable = await fetch(`${PROXY}/api/draft`, { redirect: 'manual' });
  const cookies = enable.headers.getSetCookie().map((c) => c.split(';')[0]);
  assert.ok(cookies.some((c) => c.startsWith('__prerender_bypass=')), `draft cookies: ${cookies}`);
  const draft = await get('/draft', { headers: { cookie: cookies.join('; ') } });
  assert.equal(draft.status, 200);
  assert.equal(draft.cache, 'BYPASS');
  assert.match(draft.body, /data-draft="yes"/);
  const again = await get('/draft');
  assert.match(again.body, /data-draft="no"/, 'the draft render must not be served to others');
});

test('a Server Action calling updateTag works through the proxy', async () => {
  const page = await get('/action');
  assert.equal(page.status, 200);
  const m = /name="(\$ACTION_ID_[^"]+)"/.exec(page.body);
  assert.ok(m, 'no server action id in /action');
  const value = unique('action');
  const form = new FormData();
  form.append(m[1], '');
  form.append('value', value);
  const since = Date.now();
  // a browser's no-JavaScript form post: same origin, multipart, the action id as a field
  const res = await fetch(`${PROXY}/action`, { method: 'POST', body: form, redirect: 'manual', headers: { origin: PROXY } });
  await res.text();
  assert.ok(res.status < 400, `the action answered ${res.status}`);
  await expectValueWithin('/action', value, 2000, since);
});

test('Pages Router: fallback blocking renders a new path on its first request', async () => {
  const id = unique('p');
  await setData(`legacy-${id}`, 'first');
  const r = await get(`/legacy/${id}`);
  assert.equal(r.status, 200);
  assert.equal(r.value, 'first');
});

test('Pages Router: res.revalidate shows new content through the proxy within 2 s', async () => {
  await get('/legacy/1');
  await get('/legacy/1');
  const value = unique('legacy');
  await setData('legacy-1', value);
  const since = Date.now();
  const res = await fetch(`${PROXY}/api/revalidate-legacy?id=1`, { method: 'POST' });
  assert.equal(res.status, 200, await res.text());
  await expectValueWithin('/legacy/1', value, 2000, since);
});

test('with no route rules, a GET route handler without caching headers is rendered on every request', async () => {
  const answers = [];
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`${PROXY}/api/now`);
    assert.equal(res.status, 200);
    assert.notEqual(res.headers.get('x-isr-cache'), 'HIT');
    answers.push((await res.json()).nonce);
  }
  assert.equal(new Set(answers).size, 3, `the same answer was served twice: ${answers}`);
});

test('with no route rules, a dynamic page is never shared: 20 concurrent visitors each get their own render', async () => {
  const languages = Array.from({ length: 20 }, (_, i) => `lang-${i}`);
  const answers = await Promise.all(languages.map((language) => get('/whoami', { headers: { 'accept-language': language } })));
  for (let i = 0; i < languages.length; i++) {
    assert.equal(answers[i].status, 200);
    assert.equal(answers[i].value, languages[i], `visitor ${i} was served ${answers[i].value} (${answers[i].cache})`);
  }
});

test('with no route rules, an unknown path is the site\'s 404, not stored for everyone', async () => {
  const first = await get('/no-such-page');
  const second = await get('/no-such-page');
  assert.equal(first.status, 404);
  assert.equal(second.status, 404);
  assert.notEqual(second.cache, 'HIT');
});

test('a visitor with analytics cookies (Isr:Proxy:IgnoreCookies) is served from the cache; one with a session cookie is not', async () => {
  await get('/tagged');
  const analytics = await get('/tagged', { headers: { cookie: '_ga=GA1.1.123.456; _gid=GA1.1.789' } });
  assert.equal(analytics.cache, 'HIT');
  const session = await get('/tagged', { headers: { cookie: '_ga=GA1.1.123.456; session=abc' } });
  assert.equal(session.cache, 'BYPASS');
});
