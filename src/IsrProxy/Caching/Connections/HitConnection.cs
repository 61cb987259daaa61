using System.Collections.Concurrent;
using IsrProxy.Caching.Http;
using Microsoft.AspNetCore.Connections;

namespace IsrProxy.Caching.Connections;

/// <summary>
/// One connection while <see cref="ConnectionHitServer"/> answers on it: the deadline the watch enforces (Kestrel's
/// own timeouts start only when its HTTP handler has the connection), the close request from a shutting-down server,
/// and the last Accept-Encoding seen, which a client repeats on every request.
/// </summary>
internal sealed class HitConnection(ConnectionContext connection)
{
    private long _deadline = long.MaxValue;                              // Environment.TickCount64; MaxValue: none
    private int _idle;
    private int _closeRequested;
    private byte[] _acceptEncoding = [];
    private (bool Br, bool Gzip) _acceptable;
    private byte[]? _scratch;

    public ConnectionContext Connection { get; } = connection;

    public bool CloseRequested => Volatile.Read(ref _closeRequested) != 0;

    /// <summary>A buffer for a request head that arrived in pieces.</summary>
    public byte[] Scratch(int length) => _scratch ??= new byte[length];

    /// <summary>
    /// Waiting for the next request, for at most <paramref name="timeoutMs"/>. False when the server asked the
    /// connection to close meanwhile: the caller then closes it instead of reading.
    /// </summary>
    public bool WaitForRequest(long timeoutMs)
    {
        Deadline(timeoutMs);
        Interlocked.Exchange(ref _idle, 1);
        return !CloseRequested;                                          // read after publishing idle: see RequestClose
    }

    /// <summary>Sending an answer of <paramref name="timeoutMs"/>'s worth at the slowest rate allowed.</summary>
    public void Sending(long timeoutMs) => Deadline(timeoutMs);

    /// <summary>Working: no deadline.</summary>
    public void Busy()
    {
        Interlocked.Exchange(ref _idle, 0);
        Volatile.Write(ref _deadline, long.MaxValue);
    }

    /// <summary>The server is stopping: an idle connection stops waiting now, a busy one after its current answers.</summary>
    public void RequestClose()
    {
        Interlocked.Exchange(ref _closeRequested, 1);
        if (Volatile.Read(ref _idle) != 0)
        {
            Connection.Transport.Input.CancelPendingRead();
        }
    }

    public void AbortIfLate(long now)
    {
        if (now > Volatile.Read(ref _deadline))
        {
            Volatile.Write(ref _deadline, long.MaxValue);
            Connection.Abort(new ConnectionAbortedException("The client was idle or read too slowly."));
        }
    }

    /// <summary>The codings an Accept-Encoding value allows, parsed once per distinct value on this connection.</summary>
    public (bool Br, bool Gzip) Acceptable(ReadOnlySpan<byte> acceptEncoding)
    {
        if (!acceptEncoding.SequenceEqual(_acceptEncoding))
        {
            _acceptable = AcceptEncoding.Acceptable(System.Text.Encoding.ASCII.GetString(acceptEncoding));
            _acceptEncoding = acceptEncoding.ToArray();
        }

        return _acceptable;
    }

    private void Deadline(long timeoutMs)
        => Volatile.Write(ref _deadline, timeoutMs == long.MaxValue ? long.MaxValue : Environment.TickCount64 + timeoutMs);
}

/// <summary>Aborts, once a second, the connections past their deadline.</summary>
internal sealed class HitConnectionWatch : IDisposable
{
    private readonly ConcurrentDictionary<HitConnection, byte> _connections = new();
    private readonly ITimer _timer;

    public HitConnectionWatch(TimeProvider time)
    {
        _timer = time.CreateTimer(static s => ((HitConnectionWatch)s!).Tick(), this, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public int Count => _connections.Count;

    public void Add(HitConnection connection) => _connections.TryAdd(connection, 0);

    public void Remove(HitConnection connection) => _connections.TryRemove(connection, out _);

    public void Dispose() => _timer.Dispose();

    private void Tick()
    {
        var now = Environment.TickCount64;
        foreach (var connection in _connections.Keys)
        {
            connection.AbortIfLate(now);
        }
    }
}
