using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace IsrProxy.Redis;

/// <summary>
/// One socket to the server (TCP, optionally TLS) with pipes over it, after the handshake: AUTH, SELECT and
/// CLIENT SETNAME as configured.
/// </summary>
internal sealed class RedisTransport : IAsyncDisposable
{
    /// <summary>Large segments keep multi-megabyte replies in few buffers.</summary>
    private const int PipeBufferSize = 64 * 1024;

    private readonly Socket _socket;
    private readonly Stream _stream;
    private int _disposed;

    private RedisTransport(Socket socket, Stream stream, RedisEndPoint endPoint)
    {
        _socket = socket;
        _stream = stream;
        EndPoint = endPoint;
        Input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: PipeBufferSize, minimumReadSize: 4096, leaveOpen: true));
        Output = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: PipeBufferSize, leaveOpen: true));
    }

    public RedisEndPoint EndPoint { get; }

    public PipeReader Input { get; }

    /// <summary>
    /// Reads until the connection ends, handing each complete RESP value to <paramref name="handle"/> in order.
    /// Ends with a <see cref="RedisConnectionException"/> when the server closes the connection.
    /// </summary>
    public async Task ReadValuesAsync(Action<RespValue> handle, CancellationToken ct)
    {
        while (true)
        {
            var result = await Input.ReadAsync(ct).ConfigureAwait(false);
            var buffer = result.Buffer;
            var consumed = buffer.Start;
            try
            {
                consumed = Dispatch(buffer, handle);
            }
            finally
            {
                // Everything was examined: the next read waits for new bytes instead of re-parsing these.
                Input.AdvanceTo(consumed, buffer.End);
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                throw new RedisConnectionException(EndPoint, "the server closed the connection.");
            }
        }
    }

    private static SequencePosition Dispatch(ReadOnlySequence<byte> buffer, Action<RespValue> handle)
    {
        var reader = new SequenceReader<byte>(buffer);
        while (RespReader.TryRead(ref reader, out var value))
        {
            handle(value);
        }

        return reader.Position;
    }

    public PipeWriter Output { get; }

    public static async Task<RedisTransport> ConnectAsync(RedisConnectionOptions options, TimeProvider time, CancellationToken ct)
    {
        var endPoint = options.EndPoint;
        using var timeout = new CancellationTokenSource(options.ConnectTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        RedisTransport? transport = null;
        try
        {
            ConfigureKeepAlive(socket, options.KeepAlive);
            await socket.ConnectAsync(endPoint.Host, endPoint.Port, linked.Token).ConfigureAwait(false);
            stream = new NetworkStream(socket, ownsSocket: true);
            if (options.Ssl)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                await ssl.AuthenticateAsClientAsync(
                    new SslClientAuthenticationOptions
                    {
                        TargetHost = options.SslHost ?? endPoint.Host,
                        RemoteCertificateValidationCallback = options.CertificateValidation,
                    },
                    linked.Token).ConfigureAwait(false);
            }

            transport = new RedisTransport(socket, stream, endPoint);
            await transport.HandshakeAsync(options, linked.Token).ConfigureAwait(false);
            return transport;
        }
        catch (Exception ex)
        {
            if (transport is not null)
            {
                await transport.DisposeAsync().ConfigureAwait(false);
            }
            else if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }

            socket.Dispose();
            if (ex is OperationCanceledException && timeout.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                throw new RedisConnectionException(
                    endPoint, $"no connection within {(long)options.ConnectTimeout.TotalMilliseconds} ms (connectTimeout).", ex);
            }

            if (ex is SocketException or IOException or AuthenticationException or RespProtocolException)
            {
                throw new RedisConnectionException(endPoint, $"could not connect: {ex.Message}", ex);
            }

            throw;
        }
    }

    /// <summary>Reads one complete reply, waiting for more bytes as needed.</summary>
    public async ValueTask<RespValue> ReadValueAsync(CancellationToken ct)
    {
        while (true)
        {
            var result = await Input.ReadAsync(ct).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (TryReadOne(buffer, out var value, out var consumed))
            {
                Input.AdvanceTo(consumed);
                return value;
            }

            Input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                throw new RedisConnectionException(EndPoint, "the server closed the connection.");
            }
        }
    }

    /// <summary>Tears the socket down so that pending reads and writes fail at once.</summary>
    public void Abort() => _socket.Dispose();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Completing with an exception keeps the writer from flushing unsent bytes into a socket that may be dead.
        var closing = new ObjectDisposedException(nameof(RedisTransport));
        await Input.CompleteAsync(closing).ConfigureAwait(false);
        await Output.CompleteAsync(closing).ConfigureAwait(false);
        _socket.Dispose();
        await _stream.DisposeAsync().ConfigureAwait(false);
    }

    private static bool TryReadOne(ReadOnlySequence<byte> buffer, out RespValue value, out SequencePosition consumed)
    {
        var reader = new SequenceReader<byte>(buffer);
        var complete = RespReader.TryRead(ref reader, out value);
        consumed = reader.Position;
        return complete;
    }

    private static void ConfigureKeepAlive(Socket socket, TimeSpan keepAlive)
    {
        if (keepAlive <= TimeSpan.Zero)
        {
            return;
        }

        var seconds = (int)Math.Max(1, keepAlive.TotalSeconds);
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, seconds);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, Math.Max(1, seconds / 4));
    }

    private async Task HandshakeAsync(RedisConnectionOptions options, CancellationToken ct)
    {
        var steps = new List<string>(3);
        if (options.Password is not null)
        {
            var auth = options.User is null
                ? new RedisCommand("AUTH", options.Password)
                : new RedisCommand("AUTH", options.User, options.Password);
            RespWriter.WriteCommand(Output, auth);
            steps.Add(options.User is null ? "AUTH" : $"AUTH as user '{options.User}'");
        }

        if (options.DefaultDatabase != 0)
        {
            RespWriter.WriteCommand(Output, new RedisCommand("SELECT", options.DefaultDatabase));
            steps.Add($"SELECT {options.DefaultDatabase}");
        }

        if (options.ClientName is not null)
        {
            RespWriter.WriteCommand(Output, new RedisCommand("CLIENT", "SETNAME", options.ClientName));
            steps.Add($"CLIENT SETNAME '{options.ClientName}'");
        }

        if (steps.Count == 0)
        {
            return;
        }

        await Output.FlushAsync(ct).ConfigureAwait(false);
        RedisConnectionException? failure = null;
        foreach (var step in steps)
        {
            // Every reply is read, even after a failure, so none is left behind in the buffer.
            var reply = await ReadValueAsync(ct).ConfigureAwait(false);
            if (reply.IsError && failure is null)
            {
                var message = reply.AsString() ?? string.Empty;
                failure = new RedisConnectionException(
                    EndPoint, $"{step} was rejected: {message}", new RedisServerException(EndPoint, step, message));
            }
        }

        if (failure is not null)
        {
            throw failure;
        }
    }
}
