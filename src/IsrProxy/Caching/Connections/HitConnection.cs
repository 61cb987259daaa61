using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using IsrProxy.Caching.Http;
using Microsoft.AspNetCore.Connections;

namespace IsrProxy.Caching.Connections;

/// <summary>A hit to send: the entry's head, the two fields that change with time, and the stored body.</summary>
internal readonly record struct HitAnswer(byte[] Head, string Age, string CacheStatus, ReadOnlyMemory<byte> Body);

/// <summary>
/// One connection while <see cref="ConnectionHitServer"/> answers on it: how answers leave (straight to the socket
/// while the kernel takes them whole, else through the transport's pipe), the deadline the watch enforces (Kestrel's
/// own timeouts start only when its HTTP handler has the connection), the close request from a shutting-down server,
/// and the last Accept-Encoding seen, which a client repeats on every request.
/// </summary>
internal sealed class HitConnection(ConnectionContext connection, Socket? socket = null)
{
    private const int TailBytes = 512;

    private readonly List<ArraySegment<byte>> _segments = [default, default, default];
    private byte[]? _tail;
    private bool _nonBlocking;
    private bool _piped;
    private long _deadline = long.MaxValue;                              // Environment.TickCount64; MaxValue: none
    private int _idle;
    private int _closeRequested;
    private byte[] _acceptEncoding = [];
    private (bool Br, bool Gzip) _acceptable;
    private byte[]? _scratch;
    private char[] _pathChars = new char[64];

    public ConnectionContext Connection { get; } = connection;

    public bool CloseRequested => Volatile.Read(ref _closeRequested) != 0;

    /// <summary>A buffer for a request's path as characters, valid until the next request on this connection.</summary>
    public char[] PathChars(int length) => _pathChars.Length >= length ? _pathChars : _pathChars = new char[length];

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
            _acceptable = AcceptEncoding.Acceptable(Encoding.ASCII.GetString(acceptEncoding));
            _acceptEncoding = acceptEncoding.ToArray();
        }

        return _acceptable;
    }

    /// <summary>
    /// Sends <paramref name="answer"/> to the socket without waiting, as long as nothing of this connection has gone
    /// through the transport's output pipe (which may still hold unsent bytes, and order matters). What the kernel does
    /// not take at once goes to the pipe, as does every later answer; <paramref name="piped"/> is the bytes written
    /// there, which the caller flushes. False when the connection failed.
    /// </summary>
    public bool TrySend(in HitAnswer answer, PipeWriter output, out long piped)
    {
        piped = 0;
        var tail = Tail(answer);
        var total = answer.Head.Length + tail.Count + answer.Body.Length;
        var sent = 0;
        if (socket is not null && !_piped && MemoryMarshal.TryGetArray(answer.Body, out var body))
        {
            if (!_nonBlocking)
            {
                socket.Blocking = false;                                 // a full send buffer: an error, never a wait
                _nonBlocking = true;
            }

            _segments[0] = answer.Head;
            _segments[1] = tail;
            _segments[2] = body;
            sent = socket.Send(_segments, SocketFlags.None, out var error);
            if (error is not (SocketError.Success or SocketError.WouldBlock))
            {
                return false;
            }

            if (sent == total)
            {
                return true;
            }
        }

        _piped = true;
        piped = total - sent;
        Write(output, answer.Head, ref sent);
        Write(output, tail, ref sent);
        Write(output, answer.Body.Span, ref sent);
        return true;
    }

    /// <summary>Done with the connection (Kestrel takes it, or it closes): the socket as Kestrel left it.</summary>
    public void Release()
    {
        if (_nonBlocking && socket is not null)
        {
            _nonBlocking = false;
            try
            {
                socket.Blocking = true;
            }
            catch (ObjectDisposedException)
            {
                // Aborted and closed already.
            }
        }
    }

    // Age and Cache-Status, then the empty line, in a buffer of this connection's.
    private ArraySegment<byte> Tail(in HitAnswer answer)
    {
        ReadOnlySpan<byte> age = "Age: "u8;
        ReadOnlySpan<byte> status = "\r\nCache-Status: "u8;
        ReadOnlySpan<byte> end = "\r\n\r\n"u8;
        var length = age.Length + answer.Age.Length + status.Length + answer.CacheStatus.Length + end.Length;
        var buffer = length <= TailBytes ? _tail ??= new byte[TailBytes] : new byte[length];
        var span = buffer.AsSpan();
        age.CopyTo(span);
        var at = age.Length + Encoding.ASCII.GetBytes(answer.Age, span[age.Length..]);
        status.CopyTo(span[at..]);
        at += status.Length;
        at += Encoding.ASCII.GetBytes(answer.CacheStatus, span[at..]);
        end.CopyTo(span[at..]);
        return new ArraySegment<byte>(buffer, 0, at + end.Length);
    }

    // Writes what of `bytes` lies past `skip` (bytes already sent), and takes it off `skip`.
    private static void Write(PipeWriter output, ReadOnlySpan<byte> bytes, ref int skip)
    {
        if (skip >= bytes.Length)
        {
            skip -= bytes.Length;
            return;
        }

        output.Write(bytes[skip..]);
        skip = 0;
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
