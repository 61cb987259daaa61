/**
 * Pure functions that turn what Next.js hands its cache handler into the calls IsrProxy understands.
 */

/** Next.js's prefix of the implicit tags it derives from paths (`revalidatePath`, page and layout tags). */
export const IMPLICIT_TAG_PREFIX = '_N_T_';

/** The proxy's purge modes (`?mode=`). */
export type PurgeMode = 'stale' | 'expire' | 'refresh';

/** The proxy's path purge types (`?type=`). */
export type PathType = 'page' | 'layout';

export type Purge =
  | { kind: 'tag'; tag: string; mode: PurgeMode }
  | { kind: 'path'; path: string; type: PathType; mode: PurgeMode };

/**
 * The proxy mode that matches what Next.js does to its own entries for a `revalidateTag` call.
 *
 * Next.js 16 hands its cache handler `durations` only when the call named a cache-life profile
 * (`revalidateTag(tag, 'max')`, `revalidateTag(tag, { expire })`): the tag is then marked stale at once and
 * expires `durations.expire` seconds later. Without durations (`updateTag`, `revalidatePath`, the deprecated
 * one-argument `revalidateTag`) the tag expires at once.
 */
export function modeFromDurations(durations?: { expire?: number } | null): PurgeMode {
  if (!durations || typeof durations !== 'object') return 'expire';
  if (typeof durations.expire === 'number' && durations.expire <= 0) return 'expire';
  return 'stale';
}

function isDynamicPattern(path: string): boolean {
  return /\[[^\]/]+\]/.test(path);
}

/**
 * Maps one tag given to `revalidateTag` (or produced by `revalidatePath`) to a purge at the proxy.
 *
 * - `_N_T_/blog/a`: path purge of `/blog/a`;
 * - `_N_T_/blog/layout`: path purge of `/blog` and everything beneath it (`type=layout`);
 * - `_N_T_/blog/page` (or `/route`): path purge of `/blog` alone;
 * - `_N_T_/index` is the root, as for Next.js;
 * - an implicit tag naming a dynamic route (`_N_T_/blog/[slug]/page`) is purged as a tag: the proxy knows it from
 *   the tags the handler reports for each page;
 * - any other tag: tag purge.
 */
export function purgeForTag(tag: string, mode: PurgeMode): Purge {
  if (!tag.startsWith(IMPLICIT_TAG_PREFIX + '/')) return { kind: 'tag', tag, mode };
  let rest = tag.slice(IMPLICIT_TAG_PREFIX.length);
  if (isDynamicPattern(rest)) return { kind: 'tag', tag, mode };
  let type: PathType = 'page';
  const m = /^(.*?)\/(layout|page|route)$/.exec(rest);
  if (m) {
    rest = m[1] === '' ? '/' : m[1];
    type = m[2] === 'layout' ? 'layout' : 'page';
  }
  if (rest === '/index') rest = '/';
  if (rest.length > 1 && rest.endsWith('/')) rest = rest.slice(0, -1);
  return { kind: 'path', path: rest, type, mode };
}

/** Maps the tags of one `revalidateTag` call to purges, without duplicates (revalidatePath('/') names `/` and `/index`). */
export function purgesForTags(tags: readonly string[], mode: PurgeMode): Purge[] {
  const seen = new Set<string>();
  const out: Purge[] = [];
  for (const tag of tags) {
    if (typeof tag !== 'string' || tag.length === 0) continue;
    const p = purgeForTag(tag, mode);
    const key = purgeUrlPath(p);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(p);
  }
  return out;
}

function encodePathSegments(path: string): string {
  return path
    .split('/')
    .filter((s) => s.length > 0)
    .map((s) => encodeURIComponent(safeDecode(s)))
    .join('/');
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The proxy URL (path and query) of a purge: `/_revalidate/tag/{tag}?mode=` or `/_revalidate/path/{path}?type=&mode=`. */
export function purgeUrlPath(p: Purge): string {
  if (p.kind === 'tag') return `/_revalidate/tag/${encodeURIComponent(p.tag)}?mode=${p.mode}`;
  const encoded = encodePathSegments(p.path);
  const target = encoded === '' ? '%2F' : encoded;
  return `/_revalidate/path/${target}?type=${p.type}&mode=${p.mode}`;
}

/**
 * The URL path of a page from the key Next.js gives its cache handler for a page or route entry.
 *
 * Next.js 16.5 scopes response entries by route: `/route-cache/APP_PAGE/<hash>/$/blog/a`; earlier 16.x releases
 * use the page path itself (`/blog/a`). In both, the root is `/index` and a path starting with `/index` gets another
 * `/index` in front (Next's normalizePagePath); this undoes that.
 */
export function pathFromCacheKey(key: string): string | null {
  if (typeof key !== 'string' || !key.startsWith('/')) return null;
  let page = key;
  if (key.startsWith('/route-cache/')) {
    const marker = key.indexOf('/$/');
    if (marker === -1) return null;
    page = key.slice(marker + 2);
  }
  if (page.startsWith('/index/') && !isDynamicPattern(page)) return page.slice('/index'.length);
  if (page === '/index') return '/';
  return page;
}

/** The tags in an `x-next-cache-tags` header value (comma separated), trimmed, without empties or duplicates. */
export function parseTagsHeader(value: unknown): string[] {
  const raw = Array.isArray(value) ? value.join(',') : value;
  if (typeof raw !== 'string') return [];
  const out: string[] = [];
  const seen = new Set<string>();
  for (const t of raw.split(',')) {
    const tag = t.trim();
    if (tag.length === 0 || seen.has(tag)) continue;
    seen.add(tag);
    out.push(tag);
  }
  return out;
}

/** Limits of `POST /_revalidate/next/tags`. */
export const MAX_PAGES_PER_CALL = 1000;
export const MAX_TAGS_PER_PAGE = 128;
export const MAX_TAG_LENGTH = 256;

/** The tags of one page as the proxy accepts them: at most 128, each at most 256 characters (longer ones are left out). */
export function limitTags(tags: readonly string[]): string[] {
  const out: string[] = [];
  for (const t of tags) {
    if (Buffer.byteLength(t, 'utf8') > MAX_TAG_LENGTH) continue;
    out.push(t);
    if (out.length === MAX_TAGS_PER_PAGE) break;
  }
  return out;
}
