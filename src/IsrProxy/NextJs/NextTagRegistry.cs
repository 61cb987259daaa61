using IsrProxy.Configuration;
using IsrProxy.Storage;
using Microsoft.Extensions.Options;

namespace IsrProxy.NextJs;

/// <summary>
/// The tags a Next.js site gave its pages through <c>POST /_revalidate/next/tags</c> (a plain <c>next start</c> never
/// sends them in a header). Bounded: at most <c>Isr:NextJs:TagRegistryCapacity</c> paths, the least recently used
/// forgotten first. Entries rendered after a path was registered carry its tags; a tag purge also marks the registered
/// paths, which reaches their entries stored before. Held by each replica on its own.
/// </summary>
internal sealed class NextTagRegistry(IOptions<IsrOptions> options)
{
    private readonly int _capacity = options.Value.NextJs.TagRegistryCapacity;
    private readonly Dictionary<string, LinkedListNode<Registration>> _byPath = new(StringComparer.Ordinal);
    private readonly LinkedList<Registration> _recency = new();                  // most recently used first
    private readonly Lock _lock = new();

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _byPath.Count;
            }
        }
    }

    /// <summary>Attaches <paramref name="tags"/> to <paramref name="path"/>, replacing what it had.</summary>
    public void Register(string path, IReadOnlyCollection<string> tags)
    {
        var key = ClockKeys.Normalize(path);
        var registration = new Registration(key, [.. tags.Distinct(StringComparer.Ordinal)]);
        lock (_lock)
        {
            if (_byPath.Remove(key, out var old))
            {
                _recency.Remove(old);
            }

            _byPath[key] = _recency.AddFirst(registration);
            while (_byPath.Count > _capacity && _recency.Last is { } oldest)
            {
                _recency.RemoveLast();
                _byPath.Remove(oldest.Value.Path);
            }
        }
    }

    /// <summary>The tags registered for <paramref name="path"/>; empty when none are.</summary>
    public string[] TagsFor(string path)
    {
        var key = ClockKeys.Normalize(path);
        lock (_lock)
        {
            if (!_byPath.TryGetValue(key, out var node))
            {
                return [];
            }

            _recency.Remove(node);
            _recency.AddFirst(node);
            return node.Value.Tags;
        }
    }

    /// <summary>The registered paths that carry <paramref name="tag"/> (at most the registry's capacity).</summary>
    public List<string> PathsTagged(string tag)
    {
        var paths = new List<string>();
        lock (_lock)
        {
            foreach (var registration in _recency)
            {
                if (Array.IndexOf(registration.Tags, tag) >= 0)
                {
                    paths.Add(registration.Path);
                }
            }
        }

        return paths;
    }

    private sealed record Registration(string Path, string[] Tags);
}
