using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace IsrProxy.Hosting;

/// <summary>
/// <c>dotnet IsrProxy.dll --healthcheck</c>: asks the proxy running in the same container for <c>/healthz</c> over
/// loopback and exits 0 when it answers 200, else 1. The container image has no shell and no curl, so its
/// <c>HEALTHCHECK</c> runs this. The address is found in the configuration the server itself reads, in the same
/// order: <c>ASPNETCORE_</c> variables, appsettings.json, appsettings.{Environment}.json, variables, command line.
/// </summary>
internal static class HealthCheckCommand
{
    public const string Flag = "--healthcheck";
    public const string HealthPath = "/healthz";

    /// <summary>Kestrel's own default when nothing says where to listen.</summary>
    private const string KestrelDefaultUrl = "http://localhost:5000";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public static bool IsRequested(IEnumerable<string> args)
        => args.Any(a => string.Equals(a, Flag, StringComparison.OrdinalIgnoreCase));

    public static async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken ct)
    {
        var rest = args.Where(a => !string.Equals(a, Flag, StringComparison.OrdinalIgnoreCase)).ToArray();
        var configuration = ReadConfiguration(rest, IsrHost.DefaultContentRoot());
        var target = ProbeUri(configuration[WebHostDefaults.ServerUrlsKey], configuration[WebHostDefaults.HttpPortsKey], out var problem);
        if (target is null)
        {
            await output.WriteLineAsync($"unhealthy: {problem}");
            return 1;
        }

        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false }) { Timeout = Timeout };
        try
        {
            using var response = await client.GetAsync(target, ct);
            var healthy = response.StatusCode == HttpStatusCode.OK;
            await output.WriteLineAsync($"{(healthy ? "healthy" : "unhealthy")}: {target} answered {(int)response.StatusCode}");
            return healthy ? 0 : 1;
        }
        catch (HttpRequestException ex)
        {
            await output.WriteLineAsync($"unhealthy: {target} is unreachable: {ex.Message}");
            return 1;
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            await output.WriteLineAsync($"unhealthy: {target} did not answer within {Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s");
            return 1;
        }
    }

    /// <summary>The configuration layers a web host reads, without building a host.</summary>
    public static IConfiguration ReadConfiguration(string[] args, string contentRoot)
    {
        var host = new ConfigurationBuilder()
            .AddEnvironmentVariables("DOTNET_")
            .AddEnvironmentVariables("ASPNETCORE_")
            .AddCommandLine(args)
            .Build();
        var environment = host[HostDefaults.EnvironmentKey] is { Length: > 0 } name ? name : Environments.Production;
        return new ConfigurationBuilder()
            .AddEnvironmentVariables("DOTNET_")
            .AddEnvironmentVariables("ASPNETCORE_")
            .AddJsonFile(Path.Combine(contentRoot, "appsettings.json"), optional: true, reloadOnChange: false)
            .AddJsonFile(Path.Combine(contentRoot, $"appsettings.{environment}.json"), optional: true, reloadOnChange: false)
            .AddEnvironmentVariables()
            .AddCommandLine(args)
            .Build();
    }

    /// <summary>
    /// The <c>/healthz</c> URL of the first http address in <paramref name="urls"/> (else the first of
    /// <paramref name="httpPorts"/>, else Kestrel's default), with a wildcard host (<c>+</c>, <c>*</c>,
    /// <c>0.0.0.0</c>, <c>[::]</c>) replaced by loopback; null, with <paramref name="problem"/> saying why, when
    /// there is none to ask.
    /// </summary>
    public static Uri? ProbeUri(string? urls, string? httpPorts, out string problem)
    {
        problem = string.Empty;
        if (string.IsNullOrWhiteSpace(urls))
        {
            if (string.IsNullOrWhiteSpace(httpPorts))
            {
                urls = KestrelDefaultUrl;
            }
            else
            {
                var port = httpPorts.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0];
                urls = "http://+:" + port;
            }
        }

        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            BindingAddress address;
            try
            {
                address = BindingAddress.Parse(url);
            }
            catch (FormatException)
            {
                problem = $"Urls: '{url}' is not an address to listen on.";
                return null;
            }

            if (!string.Equals(address.Scheme, Uri.UriSchemeHttp, StringComparison.OrdinalIgnoreCase) || address.IsNamedPipe || address.IsUnixPipe)
            {
                continue;
            }

            if (address.Port == 0)
            {
                problem = $"Urls: '{url}' listens on a port chosen at startup, which a health check cannot know.";
                return null;
            }

            var host = address.Host switch
            {
                "+" or "*" or "0.0.0.0" => "127.0.0.1",
                "[::]" or "::" => "[::1]",
                var named => named,
            };
            return new Uri($"http://{host}:{address.Port.ToString(CultureInfo.InvariantCulture)}{HealthPath}");
        }

        problem = $"Urls: '{urls}' has no http:// TCP address to ask for {HealthPath}.";
        return null;
    }
}
