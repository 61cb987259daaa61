using System.Text;
using IsrProxy.Configuration;
using Microsoft.Extensions.Configuration;

namespace IsrProxy.Tests.Unit.Configuration;

public sealed class IsrOptionsBindingTests
{
    [Fact]
    public void Bind_NothingConfigured_GivesDocumentedDefaults()
    {
        var options = Bind("""{ "Isr": { "Origin": "http://o" } }""");

        Assert.Equal("Memory", options.Store.Kind);
        Assert.Equal("localhost:6379", options.Store.Redis);
        Assert.Equal("isr:", options.Store.KeyPrefix);
        Assert.Equal(268_435_456, options.Store.MemoryMaxBytes);
        Assert.Equal(8_388_608, options.Store.MaxEntryBytes);
        Assert.Equal(8, options.Regeneration.MaxConcurrency);
        Assert.Equal(10_000, options.Regeneration.QueueCapacity);
        Assert.Equal(10, options.Regeneration.BackoffSeconds);
        Assert.Equal(30, options.Regeneration.ShutdownTimeoutSeconds);
        Assert.Equal(4, options.Prerender.Concurrency);
        Assert.Equal(30, options.Prerender.ReadinessTimeoutSeconds);
        Assert.Equal(60, options.Proxy.DefaultMaxDurationSeconds);
        Assert.Equal(["__prerender_bypass", "__next_preview_data"], options.Proxy.EffectiveBypassCookies);
        Assert.Equal(["x-prerender-revalidate"], options.Proxy.EffectiveBypassHeaders);
        Assert.False(options.Development);
        Assert.Empty(options.Routes);
    }

    [Fact]
    public void Bind_BypassListsConfigured_ReplaceTheDefaults()
    {
        var options = Bind(
            """{ "Isr": { "Proxy": { "BypassCookies": ["my_preview"], "BypassHeaders": ["x-draft", "x-preview"] } } }""");

        Assert.Equal(["my_preview"], options.Proxy.EffectiveBypassCookies);
        Assert.Equal(["x-draft", "x-preview"], options.Proxy.EffectiveBypassHeaders);
    }

    [Fact]
    public void Bind_EveryScalar_IsRead()
    {
        var options = Bind(
            """
            {
              "Isr": {
                "Origin": "http://o:3000", "Secret": "s", "Development": true,
                "Store": { "Kind": "Redis", "Redis": "r:6380", "KeyPrefix": "p:", "MemoryMaxBytes": 2000, "MaxEntryBytes": 1000 },
                "Regeneration": { "MaxConcurrency": 3, "QueueCapacity": 50, "BackoffSeconds": 2.5, "ShutdownTimeoutSeconds": 7 },
                "Prerender": { "Concurrency": 9, "ReadinessTimeoutSeconds": 11 },
                "Proxy": { "DefaultMaxDurationSeconds": 12 }
              }
            }
            """);

        Assert.Equal("http://o:3000", options.Origin);
        Assert.Equal("s", options.Secret);
        Assert.True(options.Development);
        Assert.True(options.Store.IsRedis);
        Assert.Equal("r:6380", options.Store.Redis);
        Assert.Equal("p:", options.Store.KeyPrefix);
        Assert.Equal(2000, options.Store.MemoryMaxBytes);
        Assert.Equal(1000, options.Store.MaxEntryBytes);
        Assert.Equal(3, options.Regeneration.MaxConcurrency);
        Assert.Equal(50, options.Regeneration.QueueCapacity);
        Assert.Equal(2.5, options.Regeneration.BackoffSeconds);
        Assert.Equal(7, options.Regeneration.ShutdownTimeoutSeconds);
        Assert.Equal(9, options.Prerender.Concurrency);
        Assert.Equal(11, options.Prerender.ReadinessTimeoutSeconds);
        Assert.Equal(12, options.Proxy.DefaultMaxDurationSeconds);
    }

    [Fact]
    public void Bind_RoutesInEveryShape_DoesNotThrow()
    {
        var options = Bind(
            """
            {
              "Isr": {
                "Routes": [
                  { "Match": "/a/**", "Revalidate": false, "Query": ["page", "sort"], "Tags": ["t"] },
                  { "Match": "/b", "Revalidate": 60, "Query": "ignore", "Fallback": false, "Sitemap": "/s.xml" }
                ]
              }
            }
            """);

        Assert.Equal(2, options.Routes.Count);
        Assert.Equal("False", options.Routes[0].Revalidate);
        var list = options.Routes[0].Query;
        var word = options.Routes[1].Query;
        Assert.NotNull(list);
        Assert.NotNull(word);
        Assert.Equal(["page", "sort"], list.GetChildren().Select(child => child.Value));
        Assert.Equal(["t"], options.Routes[0].Tags);
        Assert.Equal("60", options.Routes[1].Revalidate);
        Assert.Equal("ignore", word.Value);
        Assert.Equal("False", options.Routes[1].Fallback);
    }

    [Fact]
    public void Bind_UnconvertibleScalar_ThrowsNamingKeyAndValue()
    {
        // Binding fails before any validator runs; the host reports this exception as it is.
        var ex = Assert.Throws<InvalidOperationException>(
            () => Bind("""{ "Isr": { "Regeneration": { "MaxConcurrency": "many" } } }"""));

        Assert.Contains("'many'", ex.Message);
        Assert.Contains("Isr:Regeneration:MaxConcurrency", ex.Message);
    }

    private static IsrOptions Bind(string json)
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json)))
            .Build();
        return configuration.GetSection(IsrOptions.Section).Get<IsrOptions>() ?? new IsrOptions();
    }
}
