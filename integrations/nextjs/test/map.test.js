'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const m = require('../dist/map.js');

test('durations pick the proxy mode as Next.js treats its own entries', () => {
  assert.equal(m.modeFromDurations(undefined), 'expire'); // updateTag, revalidatePath, one-argument revalidateTag
  assert.equal(m.modeFromDurations({ expire: 31536000 }), 'stale'); // revalidateTag(tag, 'max')
  assert.equal(m.modeFromDurations({ expire: 0 }), 'expire'); // revalidateTag(tag, { expire: 0 })
  assert.equal(m.modeFromDurations({}), 'stale'); // a profile without expire: marked stale only
});

test('plain tags become tag purges', () => {
  assert.deepEqual(m.purgeForTag('blog', 'stale'), { kind: 'tag', tag: 'blog', mode: 'stale' });
  assert.equal(m.purgeUrlPath(m.purgeForTag('a b/c', 'expire')), '/_revalidate/tag/a%20b%2Fc?mode=expire');
});

test('implicit path tags become path purges with their type', () => {
  assert.deepEqual(m.purgeForTag('_N_T_/blog/a', 'expire'), { kind: 'path', path: '/blog/a', type: 'page', mode: 'expire' });
  assert.deepEqual(m.purgeForTag('_N_T_/blog/layout', 'expire'), { kind: 'path', path: '/blog', type: 'layout', mode: 'expire' });
  assert.deepEqual(m.purgeForTag('_N_T_/blog/page', 'stale'), { kind: 'path', path: '/blog', type: 'page', mode: 'stale' });
  assert.deepEqual(m.purgeForTag('_N_T_/api/data/route', 'stale'), { kind: 'path', path: '/api/data', type: 'page', mode: 'stale' });
  assert.deepEqual(m.purgeForTag('_N_T_/layout', 'expire'), { kind: 'path', path: '/', type: 'layout', mode: 'expire' });
  assert.deepEqual(m.purgeForTag('_N_T_/', 'expire'), { kind: 'path', path: '/', type: 'page', mode: 'expire' });
  assert.deepEqual(m.purgeForTag('_N_T_/index', 'expire'), { kind: 'path', path: '/', type: 'page', mode: 'expire' });
});

test('implicit tags of dynamic routes stay tags (the proxy knows them from the reported page tags)', () => {
  assert.deepEqual(m.purgeForTag('_N_T_/blog/[slug]/page', 'expire'), { kind: 'tag', tag: '_N_T_/blog/[slug]/page', mode: 'expire' });
  assert.deepEqual(m.purgeForTag('_N_T_/blog/[slug]/layout', 'stale'), { kind: 'tag', tag: '_N_T_/blog/[slug]/layout', mode: 'stale' });
});

test('revalidatePath("/") names / and /index: one purge', () => {
  const purges = m.purgesForTags(['_N_T_/', '_N_T_/index'], 'expire');
  assert.equal(purges.length, 1);
  assert.equal(m.purgeUrlPath(purges[0]), '/_revalidate/path/%2F?type=page&mode=expire');
});

test('purge URLs', () => {
  assert.equal(m.purgeUrlPath({ kind: 'path', path: '/blog/a', type: 'page', mode: 'stale' }), '/_revalidate/path/blog/a?type=page&mode=stale');
  assert.equal(m.purgeUrlPath({ kind: 'path', path: '/blog', type: 'layout', mode: 'expire' }), '/_revalidate/path/blog?type=layout&mode=expire');
  assert.equal(m.purgeUrlPath({ kind: 'path', path: '/caf%C3%A9', type: 'page', mode: 'stale' }), '/_revalidate/path/caf%C3%A9?type=page&mode=stale');
  assert.equal(m.purgeUrlPath({ kind: 'path', path: '/a b', type: 'page', mode: 'stale' }), '/_revalidate/path/a%20b?type=page&mode=stale');
});

test('page paths from cache keys, scoped (16.5) and plain', () => {
  assert.equal(m.pathFromCacheKey('/route-cache/APP_PAGE/0123abcd/$/blog/a'), '/blog/a');
  assert.equal(m.pathFromCacheKey('/route-cache/APP_PAGE/0123abcd/$/index'), '/');
  assert.equal(m.pathFromCacheKey('/route-cache/PAGES/0123abcd/$/index/index'), '/index');
  assert.equal(m.pathFromCacheKey('/route-cache/APP_ROUTE/ff/$/api/data'), '/api/data');
  assert.equal(m.pathFromCacheKey('/blog/a'), '/blog/a');
  assert.equal(m.pathFromCacheKey('/index'), '/');
  assert.equal(m.pathFromCacheKey('0123abcd'), null); // a fetch cache key
  assert.equal(m.pathFromCacheKey('/route-cache/APP_PAGE/x'), null);
});

test('tags header parsing and limits', () => {
  assert.deepEqual(m.parseTagsHeader('a, b,,a,_N_T_/x'), ['a', 'b', '_N_T_/x']);
  assert.deepEqual(m.parseTagsHeader(undefined), []);
  assert.deepEqual(m.parseTagsHeader(['a', 'b']), ['a', 'b']);
  const many = Array.from({ length: 200 }, (_, i) => 't' + i);
  assert.equal(m.limitTags(many).length, 128);
  assert.deepEqual(m.limitTags(['ok', 'x'.repeat(257)]), ['ok']);
});
