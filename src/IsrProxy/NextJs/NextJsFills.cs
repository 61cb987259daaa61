using IsrProxy.Caching;
using IsrProxy.Caching.Http;
using IsrProxy.Configuration;
using IsrProxy.Observability;
using IsrProxy.Proxy;
using IsrProxy.Revalidation;
using IsrProxy.Storage;
using Microsoft.Extensions.Options;

namespace IsrProxy.NextJs;

/// <summary>
/// What a cache fill does differently in front of <c>next start</c> (<c>Isr:NextJs:Enabled</c>), so Next's ISR and
/// this cache make one layer, not two: an answer Next marks STALE is stored already stale and asked for again; the
/// fill after a purge makes Next render (<c>x-prerender-revalidate</c>); fills ask for identity, so one entry serves
/// every coding; freshness counts from Next's render where the answer says when that was (<c>Age</c>); tags given
/// through <see cref="NextTagRegistry"/> join the entry's own. Every method is a no-op when the option is off.
/// </summary>
internal sealed class NextJsFills(
    NextJsState state,
    NextTagRegistry registry,
    TagClock clock,
    RegenerationQueue regenerations,
    TimeProvider time,
    IOptions<IsrOptions> options)
{
    private readonly NextJsOptions _options = options.Value.NextJs;

    public bool Enabled => state.Enabled;

    /// <summary>Fills of one regeneration in all: the first, and the new attempts while Next answers STALE.</summary>
    public int Attempts => state.Enabled ? _options.StaleRefetchAttempts : 1;

    /// <summary>The longest a regeneration waits between its attempts, in all.</summary>
    public TimeSpan TotalDelay
        => state.Enabled ? TimeSpan.FromMilliseconds(_options.StaleRefetchDelayMilliseconds * ((1L << _options.StaleRefetchAttempts) - 1)) : TimeSpan.Zero;

    /// <summary>The wait before attempt <paramref name="attempt"/> (1 for the first new one), doubling each time.</summary>
    public TimeSpan Delay(int attempt) => TimeSpan.FromMilliseconds(_options.StaleRefetchDelayMilliseconds * (1L << Math.Clamp(attempt - 1, 0, 20)));

    /// <summary>
    /// True when the fill that replaces <paramref name="entry"/> must make Next render instead of answering its own
    /// cached copy: nothing is stored yet, the entry was purged (a stale or expire stamp on one of its tags, its path or an ancestor), or the
    /// revalidate time of a once-fresh entry has passed. Next's copy of the page has the same lifetime, so at that point it is stale too, and
    /// Next would answer it and render behind: asking for the render at once saves a round of staleness.
    /// </summary>
    public bool MustRender(CacheEntry? entry)
    {
        if (!state.Enabled || state.PreviewModeId is null)
        {
            return false;
        }

        // Nothing stored: Next's copy, if it has one, may be of any age (a build's prerender, a render from before
        // the proxy last asked) and says nothing of when it was made, so the first fill asks for a render too.
        if (entry is null || entry.IsMarker)
        {
            return true;
        }

        // An entry stored already stale (Next answered STALE and is rendering it behind) is not one of these: its
        // re-fetch leaves Next to finish the render it started.
        if (entry.RevalidateAt is { } at && at > entry.GeneratedAt && time.GetUtcNow() >= at)
        {
            return true;
        }

        var verdict = clock.Evaluate(entry.ClockKeys, entry.RenderStartedAt);
        return verdict.Expired || verdict.StaleSince is not null;
    }

    /// <summary>
    /// Next asks for <c>Vary: Accept-Encoding</c>, but a fill asked for identity and this cache compresses the entry
    /// itself for every client: the origin's Accept-Encoding is dropped from Vary, so one entry serves every coding.
    /// </summary>
    public void PrepareResponse(OriginResponse response)
    {
        var message = response.Message;
        var coding = message.Content.Headers.NonValidated.TryGetValues("Content-Encoding", out var codings) ? codings.ToString() : null;
        if (!state.Enabled || EntryFactory.IsEncoded(coding) || !message.Headers.NonValidated.TryGetValues("Vary", out var values))
        {
            return;
        }

        var names = string.Join(",", values).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (!names.Any(IsAcceptEncoding))
        {
            return;
        }

        message.Headers.Remove("Vary");
        var kept = names.Where(n => !IsAcceptEncoding(n)).ToArray();
        if (kept.Length > 0)
        {
            message.Headers.TryAddWithoutValidation("Vary", string.Join(", ", kept));
        }
    }

    /// <summary>
    /// True when Next answered a purge's fill by rendering (REVALIDATED) with an answer that may not be stored: its cache
    /// now holds the new render, which a plain request fetches with Next's own lifetime.
    /// </summary>
    public static bool NeedsPlainRefetch(FillRequest fill, OriginResponse response)
    {
        if (!fill.PrerenderRevalidate || !string.Equals(NextCache(response), "REVALIDATED", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var cacheControl = response.Message.Headers.NonValidated.TryGetValues("Cache-Control", out var values) ? string.Join(",", values) : null;
        return CacheControlPolicy.Evaluate([], cacheControl, hasSetCookie: false, vary: null).Refusal
            is NotStoredReason.Private or NotStoredReason.NoStore or NotStoredReason.NoCache;
    }

    /// <summary>The entry as this cache stores it in front of Next: registered tags added, freshness counted from the render, STALE stored stale.</summary>
    public EntryBuild Adjust(EntryBuild build, OriginResponse response, DateTimeOffset now)
    {
        if (!state.Enabled || build.Entry.IsVaryMarker)
        {
            return build;
        }

        var entry = build.Entry;
        var registered = registry.TagsFor(entry.Path);
        var tags = registered.Length == 0 ? entry.Tags : [.. entry.Tags.Union(registered, StringComparer.Ordinal)];
        var revalidateAt = entry.RevalidateAt;
        if (revalidateAt is { } at && entry.InitialAge > TimeSpan.Zero)
        {
            revalidateAt = at - entry.InitialAge;                     // Next's Age: the render is that much older
        }

        if (string.Equals(NextCache(response), "STALE", StringComparison.OrdinalIgnoreCase) && (revalidateAt is null || revalidateAt > now))
        {
            revalidateAt = entry.GeneratedAt;                          // Next served its stale copy: stale here too, from arrival
        }

        if (tags.Length == entry.Tags.Length && revalidateAt == entry.RevalidateAt)
        {
            return build;
        }

        var clockKeys = tags.Length == entry.Tags.Length ? entry.ClockKeys : ClockKeys.For(entry.Path, tags);
        return build with { Entry = entry.Reshaped(revalidateAt, tags, clockKeys) };
    }

    /// <summary>After a miss or prerender stored a page Next answered STALE: fetch it again in the background.</summary>
    public void AfterStored(CacheEntry entry, OriginPurpose purpose)
    {
        if (state.Enabled && purpose != OriginPurpose.Regeneration && IsNextStale(entry))
        {
            regenerations.TryEnqueue(entry);
        }
    }

    /// <summary>True for an entry stored from an answer Next marked STALE.</summary>
    public bool IsNextStale(CacheEntry? entry)
        => state.Enabled && entry is not null && Array.Exists(entry.Headers, h =>
            string.Equals(h.Key, IsrHeaders.NextJsCache, StringComparison.OrdinalIgnoreCase)
            && string.Equals(h.Value.ToString(), "STALE", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Before asking again for a page Next answered STALE a moment ago: Next regenerates it in the background, so give
    /// that render the first delay to finish.
    /// </summary>
    public Task WaitForNextAsync(CacheEntry stale, CancellationToken ct)
    {
        if (!IsNextStale(stale))
        {
            return Task.CompletedTask;
        }

        var wait = stale.GeneratedAt + Delay(1) - time.GetUtcNow();
        return wait > TimeSpan.Zero ? Task.Delay(wait, time, ct) : Task.CompletedTask;
    }

    private static string? NextCache(OriginResponse response)
        => response.Message.Headers.NonValidated.TryGetValues(IsrHeaders.NextJsCache, out var values) ? values.ToString().Trim() : null;

    private static bool IsAcceptEncoding(string name) => string.Equals(name, "Accept-Encoding", StringComparison.OrdinalIgnoreCase);
}
