using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using SampleOrigin;

namespace IsrProxy.Tests.Fixtures;

/// <summary>The sample site from <c>samples/SampleOrigin</c>, on real Kestrel at 127.0.0.1 with a free port.</summary>
public sealed partial class SampleOriginHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SampleOriginHost(WebApplication app, HttpClient client)
    {
        _app = app;
        Client = client;
    }

    /// <summary>Talks to the site directly, not through the proxy.</summary>
    public HttpClient Client { get; }

    public Uri BaseAddress => Client.BaseAddress!;                        // always set in StartAsync

    /// <param name="settings">Further command-line settings, such as <c>--Sample:MaxSlowMs=300</c>.</param>
    public static async Task<SampleOriginHost> StartAsync(params string[] settings)
    {
        var app = SampleSite.Build(["--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning", .. settings]);
        await app.StartAsync();
        return new SampleOriginHost(app, new HttpClient { BaseAddress = new Uri(app.Urls.Single()) });
    }

    /// <summary>Turns the failure of <c>/flaky</c> on or off, as a user would.</summary>
    public async Task SetFailingAsync(bool on)
    {
        using var response = await Client.PostAsync($"/_sample/fail?on={(on ? "true" : "false")}", content: null);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The render number a page shows ("render #3 of this page"), or 0 when it shows none.</summary>
    public static int RenderOf(string body)
        => RenderLine().Match(body) is { Success: true } match ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;

    [GeneratedRegex(@"\(render #(\d+) of this page\)")]
    private static partial Regex RenderLine();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Client.Dispose();
    }
}
