import * as path from 'node:path';

export { Forwarder, type ForwarderOptions, type ForwarderStats } from './forwarder';
export {
  createCacheHandlerClass,
  createState,
  loadFileSystemCache,
  readBuild,
  settingsFromEnv,
  type CreateOptions,
  type HandlerContext,
  type InnerHandler,
  type InnerHandlerClass,
  type Settings,
  type SharedState,
} from './handler';
export {
  modeFromDurations,
  parseTagsHeader,
  pathFromCacheKey,
  purgeForTag,
  purgesForTags,
  purgeUrlPath,
  type PathType,
  type Purge,
  type PurgeMode,
} from './map';

/** Absolute path of the cache handler module, for `cacheHandler` in next.config. */
export const cacheHandlerPath: string = path.join(__dirname, 'cache-handler.js');

/**
 * Connects a Next.js config to IsrProxy: `export default withIsrProxy(nextConfig)`.
 *
 * Sets `cacheHandler` to this package's handler, which keeps Next.js's own caching and sends revalidations and page
 * tags to the proxy named by ISRPROXY_URL (with ISRPROXY_SECRET). A config that already names a `cacheHandler` is
 * refused: the two would not both run. Works with a config object or a config function.
 */
export function withIsrProxy<T>(config: T): T {
  if (typeof config === 'function') {
    const fn = config as unknown as (...args: unknown[]) => unknown;
    const wrapped = (...args: unknown[]) => {
      const result = fn(...args);
      return result && typeof (result as Promise<unknown>).then === 'function'
        ? (result as Promise<Record<string, unknown>>).then(apply)
        : apply(result as Record<string, unknown>);
    };
    return wrapped as unknown as T;
  }
  return apply((config ?? {}) as Record<string, unknown>) as T;
}

function apply(config: Record<string, unknown>): Record<string, unknown> {
  const existing = config.cacheHandler;
  if (typeof existing === 'string' && existing !== cacheHandlerPath) {
    throw new Error(`withIsrProxy: next.config already sets cacheHandler (${existing}); IsrProxy's handler replaces it`);
  }
  return { ...config, cacheHandler: cacheHandlerPath };
}

export default withIsrProxy;
