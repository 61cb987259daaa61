using System.Collections.Concurrent;
using System.Threading.Channels;
using IsrProxy.Configuration;
using IsrProxy.Storage;
using Microsoft.Extensions.Options;

namespace IsrProxy.Revalidation;

/// <summary>
/// Stale entries waiting to be regenerated: bounded (<c>Isr:Regeneration:QueueCapacity</c>) and deduplicated, so a key
/// is queued or running at most once. When full, new work is dropped: the stale page keeps being served and a later
/// request queues it again.
/// </summary>
internal sealed class RegenerationQueue
{
    private readonly Channel<RegenerationJob> _channel;
    private readonly ConcurrentDictionary<string, byte> _pending = new(StringComparer.Ordinal);
    private long _dropped;

    public RegenerationQueue(IOptions<IsrOptions> options)
    {
        _channel = Channel.CreateBounded<RegenerationJob>(new BoundedChannelOptions(options.Value.Regeneration.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,                  // TryWrite then fails instead of dropping queued work
            SingleWriter = false,
            SingleReader = false,
        });
    }

    public ChannelReader<RegenerationJob> Reader => _channel.Reader;

    /// <summary>Keys queued or being regenerated.</summary>
    public int Pending => _pending.Count;

    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>
    /// Queues a regeneration of <paramref name="entry"/> unless one is already queued or running for its key. With
    /// <paramref name="withVariants"/>, a success also queues the other variants of the same URL rendered before it.
    /// </summary>
    public bool TryEnqueue(CacheEntry entry, bool withVariants = false)
    {
        if (!_pending.TryAdd(entry.Key, 0))
        {
            return false;
        }

        if (_channel.Writer.TryWrite(new RegenerationJob(entry, withVariants)))
        {
            return true;
        }

        _pending.TryRemove(entry.Key, out _);
        Interlocked.Increment(ref _dropped);
        return false;
    }

    /// <summary>Called when the regeneration of <paramref name="key"/> has ended, however it ended.</summary>
    public void Completed(string key) => _pending.TryRemove(key, out _);

    /// <summary>No more work is accepted (shutdown).</summary>
    public void Close() => _channel.Writer.TryComplete();
}

/// <summary>One queued regeneration: the stale entry, and whether its URL's other variants follow it.</summary>
internal readonly record struct RegenerationJob(CacheEntry Entry, bool WithVariants);
