import * as http from 'node:http';
import * as https from 'node:https';
import {
  limitTags,
  MAX_PAGES_PER_CALL,
  purgeUrlPath,
  type Purge,
} from './map';

export interface ForwarderOptions {
  /** Base URL of the proxy, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** The proxy's `Isr:Secret`. */
  secret?: string;
  /** Most calls waiting to be sent; past it the oldest waiting call is dropped. Default 1000. */
  maxQueue?: number;
  /** Most attempts of one call (the first included). Default 10. */
  maxAttempts?: number;
  /** First retry delay in milliseconds; it doubles per attempt. Default 200. */
  baseDelayMs?: number;
  /** Longest retry delay in milliseconds. Default 5000. */
  maxDelayMs?: number;
  /** Timeout of one HTTP call in milliseconds. Default 5000. */
  timeoutMs?: number;
  /** Calls sent at once. Default 4. */
  concurrency?: number;
  /** How long tag reports are gathered into one call, in milliseconds. Default 25. */
  batchDelayMs?: number;
  /** Where problems are reported. Default `console.warn`. */
  log?: (message: string) => void;
}

interface Job {
  /** Identifies the job for de-duplication while it waits. */
  key: string;
  path: string;
  body?: string;
  attempts: number;
  /** Set for a tag report batch: the pages it carries, so a dropped batch can be told. */
  label: string;
}

export interface ForwarderStats {
  sent: number;
  failed: number;
  dropped: number;
  retries: number;
  queued: number;
  inFlight: number;
}

/** The outcome of one HTTP call: a status code, or an error (connection refused, timeout…). */
type CallResult = { status: number } | { error: string };

/**
 * Sends purges and reports to the proxy in the background: callers never wait and never see an error.
 *
 * Calls wait in a bounded queue (the oldest is dropped when it is full), are sent a few at a time, and are retried
 * with doubling delays (bounded) while the proxy cannot be reached or answers 5xx/429/408. A 4xx answer is final.
 * Problems are logged once per kind until a call succeeds again.
 */
export class Forwarder {
  private readonly base: URL;
  private readonly secret: string;
  private readonly maxQueue: number;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly timeoutMs: number;
  private readonly concurrency: number;
  private readonly batchDelayMs: number;
  private readonly log: (message: string) => void;
  private readonly agent: http.Agent;

  private readonly queue: Job[] = [];
  private readonly waitingKeys = new Set<string>();
  private inFlight = 0;
  /** While the proxy is failing, no call starts before this time (ms since epoch). */
  private pausedUntil = 0;
  private consecutiveFailures = 0;
  private pumpTimer: NodeJS.Timeout | null = null;
  private readonly pendingTags = new Map<string, string[]>();
  private tagsTimer: NodeJS.Timeout | null = null;
  private readonly logged = new Set<string>();
  private idleWaiters: Array<() => void> = [];
  private closed = false;

  readonly stats: ForwarderStats = { sent: 0, failed: 0, dropped: 0, retries: 0, queued: 0, inFlight: 0 };

  constructor(options: ForwarderOptions) {
    this.base = new URL(options.url);
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:') {
      throw new Error(`IsrProxy URL must be http(s): ${options.url}`);
    }
    this.secret = options.secret ?? '';
    this.maxQueue = Math.max(1, options.maxQueue ?? 1000);
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 10);
    this.baseDelayMs = Math.max(1, options.baseDelayMs ?? 200);
    this.maxDelayMs = Math.max(this.baseDelayMs, options.maxDelayMs ?? 5000);
    this.timeoutMs = Math.max(1, options.timeoutMs ?? 5000);
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.batchDelayMs = Math.max(0, options.batchDelayMs ?? 25);
    this.log = options.log ?? ((m) => console.warn(m));
    const AgentClass = this.base.protocol === 'https:' ? https.Agent : http.Agent;
    this.agent = new AgentClass({ keepAlive: true, maxSockets: this.concurrency });
  }

  /** Queues a purge (`/_revalidate/tag/…` or `/_revalidate/path/…`). */
  purge(p: Purge): void {
    const path = purgeUrlPath(p);
    this.enqueue({ key: 'POST ' + path, path, attempts: 0, label: path });
  }

  /** Queues `POST /_revalidate/next/build`. */
  reportBuild(buildId: string, previewModeId: string): void {
    const body = JSON.stringify({ buildId, previewModeId });
    this.enqueue({ key: 'build ' + body, path: '/_revalidate/next/build', body, attempts: 0, label: 'build ' + buildId });
  }

  /** Gathers one page's tags for the next `POST /_revalidate/next/tags` (sent after a short delay, batched). */
  reportTags(pagePath: string, tags: readonly string[]): void {
    if (this.closed) return;
    const limited = limitTags(tags);
    if (limited.length === 0) return;
    this.pendingTags.set(pagePath, limited);
    if (this.pendingTags.size >= MAX_PAGES_PER_CALL) {
      this.flushTags();
      return;
    }
    if (!this.tagsTimer) {
      this.tagsTimer = setTimeout(() => this.flushTags(), this.batchDelayMs);
      this.tagsTimer.unref();
    }
  }

  private flushTags(): void {
    if (this.tagsTimer) {
      clearTimeout(this.tagsTimer);
      this.tagsTimer = null;
    }
    if (this.pendingTags.size === 0) return;
    const pages = [...this.pendingTags].map(([path, tags]) => ({ path, tags }));
    this.pendingTags.clear();
    for (let i = 0; i < pages.length; i += MAX_PAGES_PER_CALL) {
      const chunk = pages.slice(i, i + MAX_PAGES_PER_CALL);
      const body = JSON.stringify({ pages: chunk });
      this.enqueue({
        key: 'tags ' + body,
        path: '/_revalidate/next/tags',
        body,
        attempts: 0,
        label: `tags of ${chunk.length} page(s)`,
      });
    }
  }

  /** Resolves once nothing waits or runs (tag reports gathered so far are sent first). For tests and shutdown. */
  async idle(): Promise<void> {
    this.flushTags();
    if (this.queue.length === 0 && this.inFlight === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops sending; waiting calls are dropped. */
  close(): void {
    this.closed = true;
    if (this.tagsTimer) clearTimeout(this.tagsTimer);
    if (this.pumpTimer) clearTimeout(this.pumpTimer);
    this.tagsTimer = this.pumpTimer = null;
    this.pendingTags.clear();
    this.queue.length = 0;
    this.waitingKeys.clear();
    this.agent.destroy();
    this.notifyIdle();
  }

  private enqueue(job: Job): void {
    if (this.closed) return;
    if (this.waitingKeys.has(job.key)) return; // the same call already waits: one send covers both
    if (this.queue.length >= this.maxQueue) {
      const dropped = this.queue.shift()!;
      this.waitingKeys.delete(dropped.key);
      this.stats.dropped++;
      this.logOnce('queue-full', `[isrproxy] queue full (${this.maxQueue} calls waiting): dropping the oldest (${dropped.label}) and others while the proxy is unreachable`);
    }
    this.queue.push(job);
    this.waitingKeys.add(job.key);
    this.stats.queued = this.queue.length;
    this.pump();
  }

  private pump(): void {
    if (this.closed) return;
    const now = Date.now();
    if (now < this.pausedUntil) {
      this.schedulePump(this.pausedUntil - now);
      return;
    }
    while (this.inFlight < this.concurrency && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.waitingKeys.delete(job.key);
      this.stats.queued = this.queue.length;
      this.inFlight++;
      this.stats.inFlight = this.inFlight;
      void this.run(job);
    }
    if (this.queue.length === 0 && this.inFlight === 0) this.notifyIdle();
  }

  private schedulePump(delayMs: number): void {
    if (this.pumpTimer) return;
    this.pumpTimer = setTimeout(() => {
      this.pumpTimer = null;
      this.pump();
    }, Math.max(0, delayMs));
    this.pumpTimer.unref();
  }

  private async run(job: Job): Promise<void> {
    job.attempts++;
    let result: CallResult;
    try {
      result = await this.call(job);
    } catch (e) {
      result = { error: e instanceof Error ? e.message : String(e) };
    }
    this.inFlight--;
    this.stats.inFlight = this.inFlight;
    if (this.closed) return;

    if ('status' in result && result.status >= 200 && result.status < 300) {
      this.stats.sent++;
      // a reachable proxy again: say so once, and let the next outage be logged anew (final refusals stay logged once)
      const outage = [...this.logged].filter((k) => k.startsWith('retry ') || k === 'queue-full');
      if (outage.length > 0) {
        for (const k of outage) this.logged.delete(k);
        this.log('[isrproxy] the proxy accepts calls again');
      }
      this.consecutiveFailures = 0;
      this.pausedUntil = 0;
    } else {
      const retryable = 'error' in result || result.status >= 500 || result.status === 429 || result.status === 408;
      const what = 'error' in result ? result.error : `HTTP ${result.status}`;
      if (retryable && job.attempts < this.maxAttempts) {
        this.stats.retries++;
        this.consecutiveFailures++;
        const delay = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (this.consecutiveFailures - 1));
        this.pausedUntil = Math.max(this.pausedUntil, Date.now() + delay);
        this.logOnce('retry ' + ('error' in result ? 'error' : result.status), `[isrproxy] ${this.base.origin}${job.path}: ${what}; retrying with backoff (up to ${this.maxAttempts} attempts)`);
        // back to the front, unless an identical call was queued meanwhile
        if (!this.waitingKeys.has(job.key)) {
          this.queue.unshift(job);
          this.waitingKeys.add(job.key);
          this.stats.queued = this.queue.length;
        }
      } else {
        this.stats.failed++;
        const hint = 'status' in result
          ? result.status === 401
            ? ' (is ISRPROXY_SECRET the proxy\'s Isr:Secret?)'
            : result.status === 404 && job.path.startsWith('/_revalidate/next/')
              ? ' (does the proxy run with Isr:NextJs:Enabled=true and a secret?)'
              : result.status === 404
                ? ' (does the proxy have Isr:Secret set?)'
                : ''
          : '';
        this.logOnce('fail ' + ('error' in result ? 'error' : result.status) + ' ' + job.path.split('?')[0].split('/').slice(0, 3).join('/'),
          `[isrproxy] gave up on ${job.label}: ${what}${hint}`);
      }
    }
    this.pump();
  }

  private call(job: Job): Promise<CallResult> {
    return new Promise<CallResult>((resolve) => {
      const url = new URL(job.path, this.base);
      const headers: Record<string, string | number> = { accept: 'application/json' };
      if (this.secret) headers['x-isr-secret'] = this.secret;
      const body = job.body !== undefined ? Buffer.from(job.body, 'utf8') : undefined;
      if (body) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = body.length;
      } else {
        headers['content-length'] = 0;
      }
      const mod = url.protocol === 'https:' ? https : http;
      let settled = false;
      const done = (r: CallResult) => {
        if (settled) return;
        settled = true;
        resolve(r);
      };
      const req = mod.request(url, { method: 'POST', headers, agent: this.agent, timeout: this.timeoutMs }, (res) => {
        res.on('data', () => {});
        res.on('end', () => done({ status: res.statusCode ?? 0 }));
        res.on('error', (e) => done({ error: e.message }));
      });
      req.on('timeout', () => {
        req.destroy(new Error(`timed out after ${this.timeoutMs} ms`));
      });
      req.on('error', (e: NodeJS.ErrnoException) => done({ error: e.code ? `${e.code} ${e.message}` : e.message }));
      req.end(body);
    });
  }

  private logOnce(kind: string, message: string): void {
    if (this.logged.has(kind)) return;
    this.logged.add(kind);
    try {
      this.log(message);
    } catch {
      // a logger that throws must not stop the queue
    }
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
