using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using IsrProxy.Tests.Fixtures;

namespace IsrProxy.Tests.Integration;

/// <summary>The real program, started as a process: a bad configuration stops it with one clear message.</summary>
public sealed class StartupTests
{
    [Fact]
    public async Task InvalidConfiguration_ExitsNonZero_WithTheKeyAndValue()
    {
        var folder = Directory.CreateTempSubdirectory("isrproxy-startup-").FullName;
        try
        {
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = folder,
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "IsrProxy.dll"));
            start.ArgumentList.Add("--Isr:Origin=localhost:3000");
            start.ArgumentList.Add("--Isr:Routes:0:Match=/x");
            start.ArgumentList.Add("--Isr:Routes:0:Revalidate=soon");
            start.ArgumentList.Add("--Urls=http://127.0.0.1:0");
            using var process = Process.Start(start)!;                        // Start returns null only for shell-executed files
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);

            var error = await stderr;
            Assert.Equal(2, process.ExitCode);
            Assert.Contains("IsrProxy cannot start", error, StringComparison.Ordinal);
            Assert.Contains("Isr:Origin: 'localhost:3000'", error, StringComparison.Ordinal);
            Assert.Contains("Isr:Routes:0:Revalidate: 'soon'", error, StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled exception", error + await stdout, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task JsonLogging_WritesOneJsonObjectPerLine_WithTheRequestFields()
    {
        await using var origin = await OriginServer.StartAsync();
        var folder = Directory.CreateTempSubdirectory("isrproxy-json-").FullName;
        var lines = new ConcurrentQueue<string>();
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "IsrProxy.dll"));
        start.ArgumentList.Add("--Isr:Origin=" + origin.BaseAddress.ToString().TrimEnd('/'));
        start.ArgumentList.Add("--Urls=http://127.0.0.1:0");
        start.ArgumentList.Add("--Serilog:Json=true");
        using var process = Process.Start(start)!;                            // Start returns null only for shell-executed files
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line)
            {
                lines.Enqueue(line);
            }
        };
        process.BeginOutputReadLine();
        try
        {
            string? address = null;
            await Eventually.TrueAsync(
                () =>
                {
                    address = lines.Select(Parse).Select(j => j.GetProperty("Properties").TryGetProperty("address", out var a) ? a.GetString() : null).FirstOrDefault(a => a is not null);
                    return address is not null;
                },
                "the proxy logged where it listens",
                TimeSpan.FromSeconds(60));
            using var client = new HttpClient { BaseAddress = new Uri(address!) };
            Assert.Equal("/hello v1", await client.GetStringAsync("/hello"));

            await Eventually.TrueAsync(() => lines.Any(l => l.Contains("\"Request\"", StringComparison.Ordinal)), "the request was logged");
            var request = lines.Select(Parse).Single(j => j.GetProperty("Properties").TryGetProperty("EventId", out var id) && id.GetProperty("Name").GetString() == "Request");
            var fields = request.GetProperty("Properties");
            Assert.Equal("Information", request.GetProperty("Level").GetString());
            Assert.Equal("GET", fields.GetProperty("Method").GetString());
            Assert.Equal("/hello", fields.GetProperty("Path").GetString());
            Assert.Equal(200, fields.GetProperty("Status").GetInt32());
            Assert.Equal("MISS", fields.GetProperty("CacheClass").GetString());
            Assert.True(fields.GetProperty("OriginMs").GetDouble() >= 0);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Directory.Delete(folder, recursive: true);
        }
    }

    // Every line the proxy writes in JSON mode is one JSON object.
    private static JsonElement Parse(string line) => JsonDocument.Parse(line).RootElement;
}
