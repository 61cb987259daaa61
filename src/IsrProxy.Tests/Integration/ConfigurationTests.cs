using IsrProxy.Tests.Fixtures;
using Microsoft.Extensions.Options;

namespace IsrProxy.Tests.Integration;

/// <summary>Invalid configuration stops startup with messages naming key and value; rules reload from appsettings.json.</summary>
public sealed class ConfigurationTests
{
    [Fact]
    public async Task BadRule_StopsStartup_NamingTheKeyAndValue()
    {
        await using var origin = await OriginServer.StartAsync();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => ProxyHost.StartAsync(origin, """
            [{ "Match": "/blog/{slug}", "Revalidate": "soon" }, { "Match": "nope" }]
            """));

        var messages = Hosting.StartupErrors.Describe(error);
        Assert.Contains(messages, m => m.Contains("Isr:Routes:0:Revalidate", StringComparison.Ordinal) && m.Contains("'soon'", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("Isr:Routes:1:Match", StringComparison.Ordinal) && m.Contains("'nope'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BadOrigin_StopsStartup()
    {
        await using var origin = await OriginServer.StartAsync();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => ProxyHost.StartAsync(
            origin, settings: new Dictionary<string, string?> { ["Isr:Origin"] = "localhost:3000" }));

        Assert.Contains(Hosting.StartupErrors.Describe(error), m => m.Contains("Isr:Origin", StringComparison.Ordinal) && m.Contains("localhost:3000", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BadRedisStore_StopsStartup_NamingTheKeysAndValues()
    {
        await using var origin = await OriginServer.StartAsync();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => ProxyHost.StartAsync(origin, settings: new Dictionary<string, string?>
        {
            ["Isr:Store:Kind"] = "Redis",
            ["Isr:Store:Redis"] = "cache.internal:6379,password=hunter2,ssl=maybe",
            ["Isr:Store:MaxStaleAgeSeconds"] = "0",
        }));

        var messages = Hosting.StartupErrors.Describe(error);
        Assert.Contains(messages, m => m.StartsWith("Isr:Store:Redis: 'cache.internal:6379,password=*****,ssl=maybe'", StringComparison.Ordinal)
            && m.Contains("'ssl' has value 'maybe'", StringComparison.Ordinal));
        Assert.Contains("Isr:Store:MaxStaleAgeSeconds: '0' is not between 1 and 315360000.", messages);
        Assert.DoesNotContain(messages, m => m.Contains("hunter2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Rules_ReloadWhenAppSettingsChanges_AndABadReloadKeepsTheLastGood()
    {
        await using var origin = await OriginServer.StartAsync();
        var folder = Directory.CreateTempSubdirectory("isrproxy-reload-").FullName;
        var file = Path.Combine(folder, "appsettings.json");
        await File.WriteAllTextAsync(file, Settings(origin, """{ "Match": "/**", "Revalidate": false }"""));
        try
        {
            await using var proxy = await ProxyHost.StartAsync(origin, settings: null, contentRoot: folder);
            await proxy.FetchAsync("/p");
            Assert.Equal("HIT", (await proxy.FetchAsync("/p")).Cache);

            await File.WriteAllTextAsync(file, Settings(origin, """{ "Match": "/**", "Dynamic": "force-dynamic" }"""));
            await Eventually.TrueAsync(async () => (await proxy.FetchAsync("/p")).Cache == "BYPASS", "the new rule applied");

            await File.WriteAllTextAsync(file, Settings(origin, """{ "Match": "/**", "Revalidate": "soon" }"""));
            await Eventually.TrueAsync(() => proxy.Logs.Records.Any(r => r.EventId.Name == "RulesReloadRejected"), "the bad reload was rejected");
            Assert.Equal("BYPASS", (await proxy.FetchAsync("/p")).Cache);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string Settings(OriginServer origin, string rule)
        => $$"""{ "Isr": { "Origin": "{{origin.BaseAddress.ToString().TrimEnd('/')}}", "Routes": [ {{rule}} ] } }""";
}
