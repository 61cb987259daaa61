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
        start.ArgumentList.Add("--Isr:Routes:0:Match=/**");
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

    [Fact]
    public async Task MissingOrigin_ExitsNonZero_NamingTheKey()
    {
        // No appsettings.json in the working directory: the one published beside the binary is read, and it holds
        // defaults only.
        var run = await RunUntilListeningOrExitAsync([], new Dictionary<string, string>());

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Isr:Origin: is required", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("command line")]
    [InlineData("environment")]
    [InlineData("file")]
    public async Task RoutesFromOneSource_AreExactlyTheRulesLoaded(string where)
    {
        await using var origin = await OriginServer.StartAsync();
        var folder = Directory.CreateTempSubdirectory("isrproxy-rules-").FullName;
        try
        {
            var args = new List<string> { "--Isr:Origin=" + origin.BaseAddress.ToString().TrimEnd('/') };
            var environment = new Dictionary<string, string>();
            switch (where)
            {
                case "command line":
                    args.AddRange(["--Isr:Routes:0:Match=/docs/**", "--Isr:Routes:0:Fallback=false", "--Isr:Routes:0:Prerender:0=/docs/a", "--Isr:Routes:1:Match=/shop/**"]);
                    break;
                case "environment":
                    environment["Isr__Routes__0__Match"] = "/docs/**";
                    environment["Isr__Routes__0__Fallback"] = "false";
                    environment["Isr__Routes__0__Prerender__0"] = "/docs/a";
                    environment["Isr__Routes__1__Match"] = "/shop/**";
                    break;
                default:
                    var file = Path.Combine(folder, "rules.json");
                    await File.WriteAllTextAsync(file, """{ "Isr": { "Routes": [{ "Match": "/docs/**", "Fallback": false, "Prerender": ["/docs/a"] }, { "Match": "/shop/**" }] } }""");
                    args.AddRange(["--config", file]);
                    break;
            }

            var run = await RunUntilListeningOrExitAsync(args, environment);

            Assert.Null(run.ExitCode);
            var source = where switch
            {
                "command line" => "the command line",
                "environment" => "environment variables",
                _ => "the file rules.json",
            };
            Assert.Equal([$"Rule 0 (/docs/**) from {source}", $"Rule 1 (/shop/**) from {source}"], run.RuleLines);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task RoutesFromAFileAndTheEnvironment_StopStartup_NamingBoth()
    {
        var folder = Directory.CreateTempSubdirectory("isrproxy-rules-").FullName;
        try
        {
            var file = Path.Combine(folder, "rules.json");
            await File.WriteAllTextAsync(file, """{ "Isr": { "Routes": [{ "Match": "/a", "Revalidate": 60 }, { "Match": "/b" }, { "Match": "/**" }] } }""");

            var run = await RunUntilListeningOrExitAsync(
                ["--Isr:Origin=http://127.0.0.1:9", "--config", file],
                new Dictionary<string, string> { ["Isr__Routes__0__Match"] = "/docs/**", ["Isr__Routes__0__Fallback"] = "false", ["Isr__Routes__0__Prerender__0"] = "/docs/a" });

            Assert.Equal(2, run.ExitCode);
            Assert.Contains("Isr:Routes: rules are given by more than one configuration source", run.Error, StringComparison.Ordinal);
            Assert.Contains("the file rules.json (rules 0, 1, 2)", run.Error, StringComparison.Ordinal);
            Assert.Contains("environment variables (rules 0)", run.Error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task ConfigFileThatDoesNotExist_StopsStartup_NamingIt()
    {
        var run = await RunUntilListeningOrExitAsync(["--Isr:Origin=http://127.0.0.1:9", "--config", "/nonexistent/isrproxy.json"], new Dictionary<string, string>());

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--config: the file '/nonexistent/isrproxy.json' does not exist.", run.Error, StringComparison.Ordinal);
    }

    // Starts the real program in an empty working directory and waits until it listens (then stops it; ExitCode null)
    // or exits by itself.
    private static async Task<ProcessRun> RunUntilListeningOrExitAsync(IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment)
    {
        var folder = Directory.CreateTempSubdirectory("isrproxy-process-").FullName;
        var output = new ConcurrentQueue<string>();
        var error = new ConcurrentQueue<string>();
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "IsrProxy.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.ArgumentList.Add("--Urls=http://127.0.0.1:0");
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;                            // Start returns null only for shell-executed files
        process.OutputDataReceived += (_, e) => output.Enqueue(e.Data ?? "");
        process.ErrorDataReceived += (_, e) => error.Enqueue(e.Data ?? "");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await Eventually.TrueAsync(
                () => process.HasExited || output.Any(l => l.Contains("Now listening on:", StringComparison.Ordinal)),
                "the proxy listened or exited",
                TimeSpan.FromSeconds(60));
            int? exitCode = null;
            if (process.HasExited)
            {
                await process.WaitForExitAsync();                             // the output is read to its end
                exitCode = process.ExitCode;
            }

            var rules = output
                .Select(l => System.Text.RegularExpressions.Regex.Match(l, @"Rule \d+ \(.*\) from .*$"))
                .Where(m => m.Success)
                .Select(m => m.Value)
                .ToArray();
            return new ProcessRun(exitCode, string.Join('\n', error), rules);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed record ProcessRun(int? ExitCode, string Error, string[] RuleLines);

    // Every line the proxy writes in JSON mode is one JSON object.
    private static JsonElement Parse(string line) => JsonDocument.Parse(line).RootElement;
}
