namespace IsrProxy.Rules;

/// <summary>How a route rule treats rendering, after Next.js's <c>dynamic</c> segment option.</summary>
internal enum DynamicMode
{
    /// <summary>Cached according to <c>Revalidate</c> and the origin's Cache-Control.</summary>
    Auto,

    /// <summary>Never cached: every request goes to the origin.</summary>
    ForceDynamic,

    /// <summary>Cookies, Authorization and the query string are dropped, so the page is always cached.</summary>
    ForceStatic,
}
