namespace IsrProxy.Rules;

/// <summary>Which query parameters a rule keeps in the cache key.</summary>
internal enum QueryMode
{
    /// <summary>The whole query string is part of the key.</summary>
    Include,

    /// <summary>The query string is not part of the key.</summary>
    Ignore,

    /// <summary>Only the parameters named in <see cref="RouteRule.QueryAllow"/> are part of the key.</summary>
    Allow,
}
