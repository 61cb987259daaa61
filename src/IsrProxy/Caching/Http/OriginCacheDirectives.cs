namespace IsrProxy.Caching.Http;

// What the origin said about caching, from its response headers.
// Lifetime: from the first valid targeted field, else Cache-Control s-maxage, else max-age; null when none was given.
// StaleWhileRevalidateUnbounded: a bare `stale-while-revalidate` without a value, as Next.js sends it.
// Refusal: None when storable as far as Cache-Control, Set-Cookie and Vary go.
internal readonly record struct OriginCacheDirectives(
    TimeSpan? Lifetime,
    TimeSpan? StaleWhileRevalidate,
    bool StaleWhileRevalidateUnbounded,
    TimeSpan? StaleIfError,
    NotStoredReason Refusal);
