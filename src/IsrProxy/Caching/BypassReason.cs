namespace IsrProxy.Caching;

/// <summary>Why a request went to the origin without the cache; emitted as the Cache-Status <c>detail</c>.</summary>
internal enum BypassReason
{
    None,
    Method,
    Authorization,
    Cookie,
    DraftMode,
    ForceDynamic,
    RevalidateZero,
    Development,
    Upgrade,

    /// <summary>A recent answer for this URL could not be stored, so requests go to the origin on their own for a while.</summary>
    HitForPass,
}

internal static class BypassReasonExtensions
{
    public static string Detail(this BypassReason reason) => reason switch
    {
        BypassReason.Method => "method",
        BypassReason.Authorization => "authorization",
        BypassReason.Cookie => "cookie",
        BypassReason.DraftMode => "draft-mode",
        BypassReason.ForceDynamic => "force-dynamic",
        BypassReason.RevalidateZero => "revalidate-zero",
        BypassReason.Development => "development",
        BypassReason.Upgrade => "upgrade",
        BypassReason.HitForPass => "hit-for-pass",
        _ => "none",
    };
}
