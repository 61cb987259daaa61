using System.Diagnostics;

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
}
