import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { Forwarder, type ForwarderOptions } from './forwarder';
import {
  modeFromDurations,
  parseTagsHeader,
  pathFromCacheKey,
  purgesForTags,
  type PurgeMode,
} from './map';

/** What Next.js passes to a cache handler's constructor (the parts this package reads). */
export interface HandlerContext {
  dev?: boolean;
  fs?: unknown;
  serverDistDir?: string;
  flushToDisk?: boolean;
  maxMemoryCacheSize?: number;
  revalidatedTags?: string[];
  fetchCacheKeyPrefix?: string;
  _requestHeaders?: Record<string, string | string[] | undefined>;
  [key: string]: unknown;
}

/** An entry as Next.js's cache handlers hold it. */
export interface HandlerValue {
  lastModified?: number;
  value?: { kind?: string; headers?: Record<string, unknown> | null; [key: string]: unknown } | null;
  [key: string]: unknown;
}

/** Next.js's CacheHandler interface (incremental cache), as this package uses it. */
export interface InnerHandler {
  get(key: string, ctx: any): Promise<HandlerValue | null>;
  set(key: string, data: any, ctx: any): Promise<void>;
  revalidateTag(tags: string | string[], durations?: { expire?: number }): Promise<void>;
  resetRequestCache?(): void;
}

export type InnerHandlerClass = new (ctx: HandlerContext) => InnerHandler;

const RESPONSE_KINDS = new Set(['APP_PAGE', 'APP_ROUTE', 'PAGES']);
const TAGS_HEADER = 'x-next-cache-tags';
const PRERENDER_REVALIDATE_HEADER = 'x-prerender-revalidate';

export interface Settings {
  url: string;
  secret: string;
  onDemandMode: PurgeMode;
  reportIntervalMs: number;
  debug: boolean;
  forwarder: Omit<ForwarderOptions, 'url' | 'secret' | 'log'>;
}

function intEnv(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const v = env[name];
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** Reads the settings from environment variables; null when forwarding is off (no ISRPROXY_URL, or ISRPROXY_DISABLED). */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): Settings | null {
  const url = (env.ISRPROXY_URL ?? '').trim();
  if (!url || /^(1|true|yes)$/i.test(env.ISRPROXY_DISABLED ?? '')) return null;
  const mode = (env.ISRPROXY_ON_DEMAND_MODE ?? 'refresh').trim().toLowerCase();
  return {
    url,
    secret: env.ISRPROXY_SECRET ?? '',
    onDemandMode: mode === 'stale' || mode === 'expire' || mode === 'refresh' ? mode : 'refresh',
    reportIntervalMs: (intEnv(env, 'ISRPROXY_REPORT_INTERVAL_SECONDS') ?? 300) * 1000,
    debug: /^(1|true|yes)$/i.test(env.ISRPROXY_DEBUG ?? ''),
    forwarder: {
      maxQueue: intEnv(env, 'ISRPROXY_QUEUE_MAX'),
      maxAttempts: intEnv(env, 'ISRPROXY_MAX_ATTEMPTS'),
      timeoutMs: intEnv(env, 'ISRPROXY_TIMEOUT_MS'),
    },
  };
}

/** Finds Next.js's own file-system cache handler, in the same `next` installation as the running server. */
export function loadFileSystemCache(): InnerHandlerClass | null {
  const request = 'next/dist/server/lib/incremental-cache/file-system-cache';
  const bases = [require.main?.filename ? path.dirname(require.main.filename) : undefined, process.cwd(), __dirname];
  for (const base of bases) {
    if (!base) continue;
    try {
      // createRequire: resolved at run time from the server's `next`, not traced by the bundler at build time
      const load = createRequire(path.join(base, 'noop.js'));
      const mod = load(load.resolve(request));
      const cls = mod?.default ?? mod;
      if (typeof cls === 'function') return cls as InnerHandlerClass;
    } catch {
      // try the next place
    }
  }
  return null;
}

/** State shared by every handler instance of the process (Next.js creates one per request). */
export interface SharedState {
  settings: Settings | null;
  forwarder: Forwarder | null;
  log: (message: string) => void;
  /** page path -> the tags last reported and when */
  reported: Map<string, { tags: string; at: number }>;
  /** serverDistDir -> when the build was last reported */
  buildReportedAt: Map<string, number>;
  /** serverDistDir -> build id and preview mode id (read once) */
  builds: Map<string, { buildId: string; previewModeId: string } | null>;
  warned: Set<string>;
}

const MAX_REPORTED = 20000;

export function createState(settings: Settings | null, log: (m: string) => void = (m) => console.warn(m)): SharedState {
  let forwarder: Forwarder | null = null;
  if (settings) {
    try {
      forwarder = new Forwarder({ ...settings.forwarder, url: settings.url, secret: settings.secret, log });
    } catch (e) {
      log(`[isrproxy] not forwarding: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { settings, forwarder, log, reported: new Map(), buildReportedAt: new Map(), builds: new Map(), warned: new Set() };
}

const STATE_KEY = Symbol.for('isrproxy.nextjs.state');

function processState(): SharedState {
  const g = globalThis as unknown as Record<symbol, SharedState | undefined>;
  let s = g[STATE_KEY];
  if (!s) {
    const settings = settingsFromEnv();
    s = createState(settings);
    g[STATE_KEY] = s;
    if (!isBuildPhase()) {
      if (s.forwarder) s.log(`[isrproxy] forwarding revalidations and page tags to ${new URL(settings!.url).origin}`);
      else if (!settings) s.log('[isrproxy] ISRPROXY_URL is not set: Next.js caches as usual, nothing is sent to the proxy');
    }
  }
  return s;
}

function isBuildPhase(): boolean {
  return process.env.NEXT_PHASE === 'phase-production-build';
}

export interface CreateOptions {
  /** The handler whose caching is kept (default: Next.js's own file-system cache). */
  Inner?: InnerHandlerClass | null;
  /** Shared state (default: one per process, from environment variables). */
  state?: SharedState;
  /** Treat the process as `next build` (nothing is sent). Default: from NEXT_PHASE. */
  buildPhase?: () => boolean;
}

/**
 * Builds the cache handler class: Next.js's own caching (the file-system cache, with its memory cache) is kept as it
 * is, and what passes through is told to the proxy in the background.
 */
export function createCacheHandlerClass(options: CreateOptions = {}): InnerHandlerClass {
  let Inner: InnerHandlerClass | null | undefined = options.Inner;
  const getState = () => options.state ?? processState();
  const building = options.buildPhase ?? isBuildPhase;

  return class IsrProxyCacheHandler implements InnerHandler {
    private readonly inner: InnerHandler | null;
    private readonly state: SharedState;
    private readonly onDemand: boolean;
    private readonly distKey: string;

    constructor(ctx: HandlerContext) {
      this.state = getState();
      if (Inner === undefined) Inner = loadFileSystemCache();
      if (!Inner) warnOnce(this.state, 'no-inner', '[isrproxy] Next.js\'s file-system cache handler was not found: this handler caches nothing');
      // Next.js's file-system cache needs the file system and the server output directory it is given
      const usable = Inner && (options.Inner || (ctx?.fs && ctx?.serverDistDir));
      this.inner = usable ? new Inner!(ctx) : null;
      this.distKey = typeof ctx?.serverDistDir === 'string' ? ctx.serverDistDir : '';
      const headers = ctx?._requestHeaders ?? {};
      // Next.js's own res.revalidate() renders the page through an internal request that carries the preview mode
      // id in x-prerender-revalidate and, unlike any request from the network (the proxy's fills among them), no Host.
      this.onDemand = headers[PRERENDER_REVALIDATE_HEADER] !== undefined && headers.host === undefined;
      if (!building() && !ctx?.dev) {
        try {
          this.reportBuild();
        } catch {
          // never in the way of a request
        }
      }
    }

    async get(key: string, ctx: any): Promise<HandlerValue | null> {
      const data = this.inner ? await this.inner.get(key, ctx) : null;
      if (data && !building()) {
        try {
          this.observeEntry(key, data.value ?? null);
        } catch {
          // never in the way of a request
        }
      }
      return data;
    }

    async set(key: string, data: any, ctx: any): Promise<void> {
      if (this.inner) await this.inner.set(key, data, ctx);
      if (building() || ctx?.fetchCache || data?.kind === 'FETCH' || data?.kind === 'IMAGE') return;
      try {
        this.observeEntry(key, data ?? null);
        if (this.onDemand) this.forwardOnDemand(key, data ?? null);
      } catch {
        // never in the way of a request
      }
    }

    async revalidateTag(tags: string | string[], durations?: { expire?: number }): Promise<void> {
      if (this.inner) await this.inner.revalidateTag(tags, durations);
      if (building()) return;
      try {
        const list = typeof tags === 'string' ? [tags] : Array.isArray(tags) ? tags : [];
        const f = this.state.forwarder;
        if (!f || list.length === 0) return;
        const mode = modeFromDurations(durations);
        for (const p of purgesForTags(list, mode)) {
          f.purge(p);
          if (this.state.settings?.debug) this.state.log(`[isrproxy] purge ${JSON.stringify(p)}`);
        }
      } catch {
        // never in the way of a request
      }
    }

    resetRequestCache(): void {
      this.inner?.resetRequestCache?.();
    }

    private observeEntry(key: string, value: HandlerValue['value']): void {
      const f = this.state.forwarder;
      if (!f || !value || !RESPONSE_KINDS.has(String(value.kind))) return;
      const header = value.headers?.[TAGS_HEADER];
      const tags = parseTagsHeader(header);
      if (tags.length === 0) return;
      const pagePath = pathFromCacheKey(key);
      if (!pagePath) return;
      const signature = tags.join(',');
      const now = Date.now();
      const last = this.state.reported.get(pagePath);
      if (last && last.tags === signature && now - last.at < (this.state.settings?.reportIntervalMs ?? 300000)) return;
      const reported = this.state.reported;
      reported.delete(pagePath);
      reported.set(pagePath, { tags: signature, at: now });
      if (reported.size > MAX_REPORTED) {
        const oldest = reported.keys().next().value;
        if (oldest !== undefined) reported.delete(oldest);
      }
      f.reportTags(pagePath, tags);
      if (this.state.settings?.debug) this.state.log(`[isrproxy] tags of ${pagePath}: ${signature}`);
    }

    private forwardOnDemand(key: string, data: { kind?: string } | null): void {
      const f = this.state.forwarder;
      const settings = this.state.settings;
      if (!f || !settings) return;
      const pagePath = pathFromCacheKey(key);
      if (!pagePath) return;
      const mode = settings.onDemandMode;
      f.purge({ kind: 'path', path: pagePath, type: 'page', mode });
      const isPages = data?.kind === 'PAGES' || key.startsWith('/route-cache/PAGES/');
      const build = this.build();
      if (isPages && build?.buildId) {
        // the Pages Router's client navigations read /_next/data/<build id>/<page>.json: a URL of its own at the proxy
        const dataPath = `/_next/data/${build.buildId}${pagePath === '/' ? '/index' : pagePath}.json`;
        f.purge({ kind: 'path', path: dataPath, type: 'page', mode });
      }
      if (settings.debug) this.state.log(`[isrproxy] res.revalidate(${pagePath}) -> purge (${mode})`);
    }

    private build(): { buildId: string; previewModeId: string } | null {
      const cache = this.state.builds;
      if (cache.has(this.distKey)) return cache.get(this.distKey) ?? null;
      const info = readBuild(this.distKey);
      cache.set(this.distKey, info);
      return info;
    }

    private reportBuild(): void {
      const f = this.state.forwarder;
      if (!f || !this.distKey) return;
      const last = this.state.buildReportedAt.get(this.distKey);
      const now = Date.now();
      if (last !== undefined && now - last < (this.state.settings?.reportIntervalMs ?? 300000)) return;
      this.state.buildReportedAt.set(this.distKey, now);
      const build = this.build();
      if (!build) {
        warnOnce(this.state, 'no-build ' + this.distKey, `[isrproxy] no previewModeId in ${path.join(this.distKey, '..', 'prerender-manifest.json')}: the proxy is not told the build`);
        return;
      }
      f.reportBuild(build.buildId, build.previewModeId);
    }
  };
}

/** Reads the build id and the preview mode id of the build whose server output is in `serverDistDir`. */
export function readBuild(serverDistDir: string): { buildId: string; previewModeId: string } | null {
  if (!serverDistDir) return null;
  const distDir = path.join(serverDistDir, '..');
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(distDir, 'prerender-manifest.json'), 'utf8'));
    const previewModeId = manifest?.preview?.previewModeId;
    if (typeof previewModeId !== 'string' || previewModeId === '') return null;
    let buildId = '';
    try {
      buildId = fs.readFileSync(path.join(distDir, 'BUILD_ID'), 'utf8').trim();
    } catch {
      // the build id only names the Pages Router's data URLs
    }
    return { buildId, previewModeId };
  } catch {
    return null;
  }
}

function warnOnce(state: SharedState, key: string, message: string): void {
  if (state.warned.has(key)) return;
  state.warned.add(key);
  state.log(message);
}
