namespace IsrProxy.Caching;

/// <summary>How a request was answered (SPEC §1). Sent as <c>X-Isr-Cache</c>.</summary>
internal enum CacheClass
{
    Bypass,
    Hit,
    Stale,
    Miss,
}

internal static class CacheClassExtensions
{
    public static string Label(this CacheClass cacheClass) => cacheClass switch
    {
        CacheClass.Hit => "HIT",
        CacheClass.Stale => "STALE",
        CacheClass.Miss => "MISS",
        _ => "BYPASS",
    };
}
