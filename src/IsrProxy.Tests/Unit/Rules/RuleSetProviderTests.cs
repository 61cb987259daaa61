using IsrProxy.Configuration;
using IsrProxy.Rules;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IsrProxy.Tests.Unit.Rules;

public sealed class RuleSetProviderTests
{
    private const string TwoRules =
        """{ "Isr": { "Routes": [{ "Match": "/blog/{slug}", "Revalidate": 60 }, { "Match": "/**" }] } }""";

    private const string ThreeRules =
        """{ "Isr": { "Routes": [{ "Match": "/blog/{slug}", "Revalidate": 5 }, { "Match": "/shop/**" }, { "Match": "/**" }] } }""";

    private const string BadRule =
        """{ "Isr": { "Routes": [{ "Match": "/blog/{slug}", "Revalidate": "soon" }] } }""";

    private readonly ListLogger<RuleSetProvider> _logger = new();

    [Fact]
    public void Constructor_InvalidFirstLoad_ThrowsWithEveryMessage()
    {
        var configuration = Build(
            """{ "Isr": { "Routes": [{ "Match": "blog" }, { "Match": "/a", "Revalidate": "soon" }] } }""",
            out _);

        var ex = Assert.Throws<OptionsValidationException>(() => new RuleSetProvider(configuration, _logger));

        Assert.Equal(IsrOptions.Section, ex.OptionsName);
        Assert.Equal(typeof(IsrOptions), ex.OptionsType);
        Assert.Equal(
            [
                "Isr:Routes:0:Match: 'blog' is not a valid route pattern: it must start with '/'.",
                "Isr:Routes:1:Revalidate: 'soon' is not false, 0 or a number of seconds.",
            ],
            ex.Failures);
        Assert.Contains("'soon'", ex.Message);
    }

    [Fact]
    public void Current_ValidFirstLoad_HasTheRules()
    {
        using var provider = new RuleSetProvider(Build(TwoRules, out _), _logger);

        Assert.Equal(2, provider.Current.Rules.Count);
        Assert.Equal(TimeSpan.FromSeconds(60), provider.Current.Match("/blog/a").Revalidate);
        Assert.Empty(_logger.Entries);
    }

    [Fact]
    public void Current_NoRoutes_MatchesDefault()
    {
        using var provider = new RuleSetProvider(Build("""{ "Isr": { "Origin": "http://o" } }""", out _), _logger);

        Assert.Empty(provider.Current.Rules);
        Assert.Same(RouteRule.Default, provider.Current.Match("/blog/a"));
    }

    [Fact]
    public void Reload_ValidRules_SwapsAndLogsInformation()
    {
        using var provider = new RuleSetProvider(Build(TwoRules, out var source), _logger);
        var before = provider.Current;

        source.Replace(ThreeRules);

        Assert.NotSame(before, provider.Current);
        Assert.Equal(3, provider.Current.Rules.Count);
        Assert.Equal(TimeSpan.FromSeconds(5), provider.Current.Match("/blog/a").Revalidate);
        var entry = Assert.Single(_logger.Entries);
        Assert.Equal(LogLevel.Information, entry.Level);
        Assert.Equal("RulesReloaded", entry.Id.Name);
        Assert.Equal("Route rules reloaded (3 rules)", entry.Message);
    }

    [Fact]
    public void Reload_InvalidRules_KeepsLastGoodAndWarnsWithMessages()
    {
        using var provider = new RuleSetProvider(Build(TwoRules, out var source), _logger);
        var before = provider.Current;

        source.Replace(BadRule);

        Assert.Same(before, provider.Current);
        Assert.Equal(TimeSpan.FromSeconds(60), provider.Current.Match("/blog/a").Revalidate);
        var entry = Assert.Single(_logger.Entries);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Equal("RulesReloadRejected", entry.Id.Name);
        Assert.Contains("keeping the previous 2 rules", entry.Message);
        Assert.Contains("Isr:Routes:0:Revalidate: 'soon' is not false, 0 or a number of seconds.", entry.Message);
    }

    [Fact]
    public void Reload_GoodAfterBad_Swaps()
    {
        using var provider = new RuleSetProvider(Build(TwoRules, out var source), _logger);

        source.Replace(BadRule);
        source.Replace(ThreeRules);

        Assert.Equal(3, provider.Current.Rules.Count);
        Assert.Equal([LogLevel.Warning, LogLevel.Information], _logger.Entries.Select(entry => entry.Level));
    }

    [Fact]
    public void Reload_EveryChange_IsSeen()
    {
        using var provider = new RuleSetProvider(Build(TwoRules, out var source), _logger);

        source.Replace(ThreeRules);
        source.Replace(TwoRules);

        Assert.Equal(2, provider.Current.Rules.Count);
        Assert.Equal(2, _logger.Entries.Count);
    }

    [Fact]
    public void Dispose_StopsFollowingReloads()
    {
        var provider = new RuleSetProvider(Build(TwoRules, out var source), _logger);
        provider.Dispose();

        source.Replace(ThreeRules);

        Assert.Equal(2, provider.Current.Rules.Count);
        Assert.Empty(_logger.Entries);
    }

    private static IConfigurationRoot Build(string json, out ReloadableJsonConfiguration source)
    {
        source = new ReloadableJsonConfiguration(json);
        return new ConfigurationBuilder().Add(source).Build();
    }
}
