namespace IsrProxy.Observability;

/// <summary>
/// Every log event's id, in one table: 1xxx caching, 2xxx revalidation, 3xxx purge, 4xxx proxy, 5xxx store and Redis (51xx: the Redis client's own, in RedisEventIds),
/// 6xxx hosting.
/// </summary>
internal static class EventIds
{
    public const int Request = 1001;
    public const int StoreReadFailed = 1002;
    public const int StoreWriteFailed = 1003;
    public const int NotStored = 1004;
    public const int Bypassed = 1005;
    public const int HitForPassStarted = 1006;
    public const int HitForPassEnded = 1007;

    public const int Regenerated = 2001;
    public const int RegenerationFailed = 2002;
    public const int RegenerationDropped = 2003;
    public const int PrerenderFailed = 2004;
    public const int PrerenderDone = 2005;
    public const int DrainTimedOut = 2006;
    public const int SitemapFailed = 2007;
    public const int RegenerationLeftToOthers = 2008;
    public const int VariantsNotFound = 2009;

    public const int PurgeAccepted = 3001;
    public const int PurgeRejected = 3002;
    public const int PurgeDisabled = 3003;
    public const int PurgeNotPropagated = 3004;

    public const int OriginFailed = 4001;
    public const int OriginTimedOut = 4002;

    public const int StoreUnavailable = 5001;
    public const int RedisReconnected = 5002;
    public const int L1Distrusted = 5003;
    public const int L1Resynchronised = 5004;
    public const int ResyncFailed = 5005;
    public const int BadStoreMessage = 5006;
    public const int ClockBacklogFull = 5007;
    public const int ClockWriteFailed = 5008;
    public const int LockReleaseFailed = 5009;
    public const int RedisStarting = 5010;
    public const int StoreOperationFailed = 5011;
    public const int BadClockValue = 5012;

    public const int RulesReloaded = 6001;
    public const int RulesReloadRejected = 6002;
    public const int Started = 6003;
    public const int RuleLoaded = 6004;
    public const int NoRules = 6005;
}
