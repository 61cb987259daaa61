namespace IsrProxy.Observability;

/// <summary>
/// Every log event's id, in one table: 1xxx caching, 2xxx revalidation, 3xxx purge, 4xxx proxy, 5xxx store and Redis,
/// 6xxx hosting.
/// </summary>
internal static class EventIds
{
    public const int Request = 1001;
    public const int StoreReadFailed = 1002;
    public const int StoreWriteFailed = 1003;
    public const int NotStored = 1004;
    public const int Bypassed = 1005;

    public const int Regenerated = 2001;
    public const int RegenerationFailed = 2002;
    public const int RegenerationDropped = 2003;
    public const int PrerenderFailed = 2004;
    public const int PrerenderDone = 2005;
    public const int DrainTimedOut = 2006;
    public const int SitemapFailed = 2007;

    public const int PurgeAccepted = 3001;
    public const int PurgeRejected = 3002;
    public const int PurgeDisabled = 3003;

    public const int OriginFailed = 4001;
    public const int OriginTimedOut = 4002;

    public const int StoreUnavailable = 5001;
    public const int RedisReconnected = 5002;

    public const int RulesReloaded = 6001;
    public const int RulesReloadRejected = 6002;
    public const int Started = 6003;
}
