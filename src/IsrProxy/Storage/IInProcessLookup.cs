namespace IsrProxy.Storage;

/// <summary>
/// A store that can answer some lookups from process memory, by a key given as characters (no string made).
/// </summary>
internal interface IInProcessLookup
{
    /// <summary>
    /// True with the entry when process memory answers for <paramref name="key"/> as <see cref="ICacheStore.GetAsync"/>
    /// would; false when only <see cref="ICacheStore.GetAsync"/> can tell.
    /// </summary>
    bool TryGetInProcess(ReadOnlySpan<char> key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CacheEntry? entry);
}
