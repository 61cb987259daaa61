namespace IsrProxy.Caching.Http;

// Why a response from the origin was not put in the cache; emitted as the Cache-Status `detail` of a MISS.
internal enum NotStoredReason
{
    None,
    NoStore,
    Private,
    SetCookie,
    NoCache,
    ZeroLifetime,
    VaryStar,
    Status,
    TooLarge,
    OriginError,

    // No rule matched the path and the origin gave no explicit freshness (s-maxage, max-age, Expires, targeted fields).
    NoFreshness,

    // The origin varies on a request header a fill never sends (credentials, the client's address): no render could be keyed right.
    VaryUnkeyed,
}
