using System.Buffers;

namespace IsrProxy.Observability;

/// <summary>
/// A contiguous, pooled <see cref="IBufferWriter{T}"/> that refuses to grow past a fixed size, so one scrape
/// can never hold more than that much memory however many series exist.
/// </summary>
internal sealed class BoundedBufferWriter : IBufferWriter<byte>, IDisposable
{
    private readonly int _maxBytes;
    private byte[] _buffer;
    private int _written;
    private bool _disposed;

    public BoundedBufferWriter(int initialBytes, int maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(initialBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, initialBytes);
        _maxBytes = maxBytes;
        _buffer = ArrayPool<byte>.Shared.Rent(initialBytes);
    }

    public int WrittenCount => _written;

    public ReadOnlyMemory<byte> WrittenMemory
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _buffer.AsMemory(0, _written);
        }
    }

    // The pool may hand out a larger array than asked for; the limit still applies.
    private int Capacity => Math.Min(_buffer.Length, _maxBytes);

    public void Advance(int count)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (count < 0 || count > Capacity - _written)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"Advance({count}) is outside the {Capacity - _written} bytes obtained.");
        }

        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsMemory(_written, Capacity - _written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsSpan(_written, Capacity - _written);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        _written = 0;
    }

    private void Reserve(int sizeHint)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(sizeHint);

        var needed = Math.Max(sizeHint, 1);
        if (Capacity - _written >= needed)
        {
            return;
        }

        var required = (long)_written + needed;
        if (required > _maxBytes)
        {
            throw new MetricsCollectionException(
                $"The metrics exposition exceeds its limit of {_maxBytes} bytes ({_written} bytes written, {needed} more needed).");
        }

        var size = (int)Math.Min(Math.Max(required, (long)_buffer.Length * 2), _maxBytes);
        var larger = ArrayPool<byte>.Shared.Rent(size);
        _buffer.AsSpan(0, _written).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
