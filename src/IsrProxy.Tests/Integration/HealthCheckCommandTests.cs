using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using IsrProxy.Hosting;
using IsrProxy.Tests.Fixtures;

namespace IsrProxy.Tests.Integration;

/// <summary><c>--healthcheck</c>, the container's HEALTHCHECK, against a real proxy.</summary>
public sealed class HealthCheckCommandTests
{
    [Fact]
    public async Task RunAsync_RunningProxy_ExitsZero()
    {
        await using var origin = await OriginServer.StartAsync();
        await using var proxy = await ProxyHost.StartAsync(origin);

        var (exit, output) = await UntilAnsweredAsync(async () =>
        {
            using var output = new StringWriter();
            var exit = await HealthCheckCommand.RunAsync([HealthCheckCommand.Flag, $"--Urls=http://+:{proxy.BaseAddress.Port}"], output, CancellationToken.None);
            return (exit, output.ToString());
        });

        Assert.Equal(0, exit);
        Assert.Equal($"healthy: http://127.0.0.1:{proxy.BaseAddress.Port}/healthz answered 200", output.Trim());
        Assert.Equal(0, origin.TotalCount);                                   // answered by the proxy itself
    }

    [Fact]
    public async Task RunAsync_NothingListening_ExitsOne()
    {
        var port = ClosedPort();
        using var output = new StringWriter();

        var exit = await HealthCheckCommand.RunAsync([HealthCheckCommand.Flag, $"--Urls=http://127.0.0.1:{port}"], output, CancellationToken.None);

        Assert.Equal(1, exit);
        Assert.StartsWith($"unhealthy: http://127.0.0.1:{port}/healthz is unreachable", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_Non200_ExitsOne()
    {
        await using var unhealthy = await OriginServer.StartAsync(o => o.Route("/healthz", (ctx, _) =>
        {
            ctx.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return Task.CompletedTask;
        }));
        using var output = new StringWriter();

        var exit = await HealthCheckCommand.RunAsync([HealthCheckCommand.Flag, $"--Urls=http://127.0.0.1:{unhealthy.BaseAddress.Port}"], output, CancellationToken.None);

        Assert.Equal(1, exit);
        Assert.Equal($"unhealthy: http://127.0.0.1:{unhealthy.BaseAddress.Port}/healthz answered 503", output.ToString().Trim());
    }

    [Fact]
    public async Task Program_HealthcheckFlag_ReadsUrlsFromTheEnvironment_AsInTheContainer()
    {
        await using var origin = await OriginServer.StartAsync();
        await using var proxy = await ProxyHost.StartAsync(origin);
        var folder = Directory.CreateTempSubdirectory("isrproxy-healthcheck-").FullName;
        try
        {
            var (exit, output) = await UntilAnsweredAsync(async () =>
            {
                var start = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
                start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "IsrProxy.dll"));
                start.ArgumentList.Add(HealthCheckCommand.Flag);
                start.Environment["Urls"] = $"http://+:{proxy.BaseAddress.Port}";    // as the image sets it
                using var process = Process.Start(start)!;                        // Start returns null only for shell-executed files
                var stdout = process.StandardOutput.ReadToEndAsync();
                var stderr = process.StandardError.ReadToEndAsync();
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                await process.WaitForExitAsync(timeout.Token);
                return (process.ExitCode, $"{await stdout} {await stderr}");
            });

            Assert.True(exit == 0, $"exit {exit}: {output}");
            Assert.Contains($"http://127.0.0.1:{proxy.BaseAddress.Port}/healthz answered 200", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// Runs <paramref name="check"/> until it gets an answer. Like the image's HEALTHCHECK (--timeout=5s --retries=3), a
    /// check that timed out (a loaded machine) is run again; any other outcome is returned as it is.
    /// </summary>
    private static async Task<(int Exit, string Output)> UntilAnsweredAsync(Func<Task<(int Exit, string Output)>> check)
    {
        (int Exit, string Output) last = default;
        await Eventually.TrueAsync(
            async () =>
            {
                last = await check();
                return !last.Output.Contains("did not answer within", StringComparison.Ordinal);
            },
            "the health check got an answer");
        return last;
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
