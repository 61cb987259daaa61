/**
 * The cache handler module Next.js loads (`cacheHandler` in next.config): Next.js's own file-system cache, with
 * revalidations and page tags told to IsrProxy in the background. `withIsrProxy()` points next.config here.
 */
import { createCacheHandlerClass } from './handler';

const IsrProxyCacheHandler = createCacheHandlerClass();

export = IsrProxyCacheHandler;
