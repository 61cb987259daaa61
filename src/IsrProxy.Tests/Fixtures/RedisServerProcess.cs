using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace IsrProxy.Tests.Fixtures;

/// <summary>
/// A redis-server process on a loopback port, owned by a test: it can be killed (as a crash would) and started again
/// on the same port. Persistence is off, so a restart comes back empty.
/// </summary>
public sealed class RedisServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = Eventually.DefaultTimeout;

    private readonly string _executable;
    private readonly IReadOnlyList<string> _extraArgs;
    private readonly string _directory;
    private Process? _process;

    private RedisServerProcess(string executable, int port, bool tls, IReadOnlyList<string> extraArgs)
    {
        _executable = executable;
        Port = port;
        Tls = tls;
        _extraArgs = extraArgs;
        _directory = Directory.CreateTempSubdirectory("isrproxy-redis-").FullName;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, byte> HandedOut = new();

    public int Port { get; }

    /// <summary>True when the server listens with TLS only (its arguments then carry the certificate files).</summary>
    public bool Tls { get; }

    /// <summary>The endpoint part of a connection string; append options with ','.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts redis-server on <paramref name="port"/> (a free one when 0) and waits until it answers PING.</summary>
    public static async Task<RedisServerProcess> StartAsync(string executable, IReadOnlyList<string> extraArgs, bool tls = false, int port = 0)
    {
        var server = new RedisServerProcess(executable, port == 0 ? FreePort() : port, tls, extraArgs);
        try
        {
            await server.StartAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// A free loopback port never handed out before in this run. A test that kills its server leaves clients
    /// reconnecting to that port; were it handed to another test's server, they would connect to that one instead.
    /// </summary>
    public static int FreePort()
    {
        while (true)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            if (HandedOut.TryAdd(port, 0))
            {
                return port;
            }
        }
    }

    /// <summary>Kills the server with SIGKILL: no goodbye to clients, exactly like a crash.</summary>
    public async Task StopAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            if (!process.HasExited)
            {
                process.Kill();
            }

            await process.WaitForExitAsync();
            process.Dispose();
        }
    }

    /// <summary>Starts the server again on the same port with the same arguments.</summary>
    public async Task StartAsync()
    {
        if (_process is not null)
        {
            throw new InvalidOperationException($"redis-server on port {Port} is already running.");
        }

        var info = new ProcessStartInfo(_executable) { UseShellExecute = false };
        if (Tls)
        {
            info.ArgumentList.Add("--port");
            info.ArgumentList.Add("0");
            info.ArgumentList.Add("--tls-port");
        }
        else
        {
            info.ArgumentList.Add("--port");
        }

        info.ArgumentList.Add(Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var arg in new[] { "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", _directory, "--logfile", LogPath, "--loglevel", "warning" })
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var arg in _extraArgs)
        {
            info.ArgumentList.Add(arg);
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException($"redis-server '{_executable}' did not start.");
        await WaitUntilReadyAsync(_process);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory does no harm to the run; the OS cleans /tmp.
        }
    }

    private string LogPath => Path.Combine(_directory, "redis.log");

    private async Task WaitUntilReadyAsync(Process process)
    {
        var time = TimeProvider.System;
        var started = time.GetTimestamp();
        Exception? last = null;
        while (time.GetElapsedTime(started) < ReadyTimeout)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException(
                    $"redis-server on port {Port} exited with code {process.ExitCode} at startup. Log:\n{ReadLog()}");
            }

            try
            {
                if (await AnswersPingAsync())
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is SocketException or IOException or System.Security.Authentication.AuthenticationException)
            {
                last = ex;
            }
            catch (OperationCanceledException ex)
            {
                last = ex;                                              // this attempt took too long (a loaded machine): try again
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20));
        }

        throw new InvalidOperationException(
            $"redis-server on port {Port} did not answer PING within {ReadyTimeout.TotalSeconds} s ({last?.Message}). Log:\n{ReadLog()}");
    }

    /// <summary>Any reply (PONG, or NOAUTH from a password-protected server) shows the server is serving.</summary>
    private async Task<bool> AnswersPingAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port, timeout.Token);
        Stream stream = client.GetStream();
        if (Tls)
        {
            var ssl = new SslStream(stream, leaveInnerStreamOpen: false, (_, _, _, _) => true);
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, timeout.Token);
            stream = ssl;
        }

        await using (stream)
        {
            await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token);
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer, timeout.Token);
            return read > 0 && buffer[0] is (byte)'+' or (byte)'-';
        }
    }

    private string ReadLog()
    {
        try
        {
            return File.Exists(LogPath) ? File.ReadAllText(LogPath, Encoding.UTF8) : "(no log file)";
        }
        catch (IOException ex)
        {
            return $"(log unreadable: {ex.Message})";
        }
    }
}
