namespace IsrProxy.Configuration;

/// <summary>The <c>Isr:Proxy</c> section.</summary>
internal sealed class ProxyOptions
{
    /// <summary>Next.js draft-mode cookies.</summary>
    public static readonly IReadOnlyList<string> DefaultBypassCookies = ["__prerender_bypass", "__next_preview_data"];

    /// <summary>Next.js's on-demand revalidation header.</summary>
    public static readonly IReadOnlyList<string> DefaultBypassHeaders = ["x-prerender-revalidate"];

    /// <summary>Origin timeout for routes without a <c>MaxDuration</c>.</summary>
    public double DefaultMaxDurationSeconds { get; set; } = 60;

    /// <summary>
    /// How long a URL whose answer could not be stored (private, no-store, Set-Cookie, an uncacheable status, no
    /// freshness, too large) is passed to the origin request by request, with each client's own headers and no
    /// coalescing, before the cache tries to fill it again. 0 turns it off (every miss is coalesced and tried again).
    /// </summary>
    public double HitForPassSeconds { get; set; } = 120;

    /// <summary>
    /// The site's public URL (e.g. https://www.example.com). Cache fills send its host and scheme as X-Forwarded-Host
    /// and X-Forwarded-Proto, so the origin builds absolute URLs and redirects with the public name. Empty: not sent.
    /// </summary>
    public string? PublicUrl { get; set; }

    /// <summary>
    /// Run request code on the socket threads instead of handing each request to the thread pool (Kestrel's
    /// UnsafePreferInlineScheduling, with inline socket completions). Fewer thread switches per request, which is most of
    /// a hit's cost on one or two cores; safe here because nothing on the request path blocks, and the one CPU-heavy
    /// step, compressing a new entry, runs on the thread pool.
    /// </summary>
    public bool InlineScheduling { get; set; } = true;

    /// <summary>
    /// Answer fresh hits for plain GET requests at the connection, before Kestrel's HTTP handler and ASP.NET Core's
    /// pipeline: the same answer for a fraction of the CPU time. Those hits are counted in <c>isr_requests_total</c> and
    /// logged as usual, but ASP.NET Core's per-request metrics (<c>http_server_*</c>) do not see them.
    /// </summary>
    public bool ConnectionHits { get; set; } = true;

    /// <summary>
    /// Cookies that make a request bypass the cache, as configured; empty when none are configured. Read
    /// <see cref="EffectiveBypassCookies"/>. (The binder appends to a pre-filled list, so the defaults cannot
    /// live here.)
    /// </summary>
    public List<string> BypassCookies { get; set; } = new();

    /// <summary>
    /// Cookies that do not make a request bypass the cache on paths no route rule matches (a rule's own
    /// <c>IgnoreCookies</c> says it for its paths): analytics and preference cookies such as <c>_ga*</c>. A trailing
    /// <c>*</c> makes a prefix. An ignored cookie is never sent to the origin by a cache fill.
    /// </summary>
    public List<string> IgnoreCookies { get; set; } = new();

    /// <summary>Request headers that make a request bypass the cache, as configured; read <see cref="EffectiveBypassHeaders"/>.</summary>
    public List<string> BypassHeaders { get; set; } = new();

    /// <summary>The configured bypass cookies, or <see cref="DefaultBypassCookies"/> when none are configured.</summary>
    public IReadOnlyList<string> EffectiveBypassCookies => BypassCookies.Count > 0 ? BypassCookies : DefaultBypassCookies;

    /// <summary>The configured bypass headers, or <see cref="DefaultBypassHeaders"/> when none are configured.</summary>
    public IReadOnlyList<string> EffectiveBypassHeaders => BypassHeaders.Count > 0 ? BypassHeaders : DefaultBypassHeaders;
}
