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
}
