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
        Assert.Empty(Reloads);
    }

    [Fact]
    public void FirstLoad_LogsEachRuleWithItsSource()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Isr:Origin"] = "http://o" })
            .AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(TwoRules)))
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Isr:Secret"] = "s" })
            .Build();

        using var provider = new RuleSetProvider(configuration, _logger);

        Assert.Equal(
            ["Rule 0 (/blog/{slug}) from JsonStreamConfigurationProvider", "Rule 1 (/**) from JsonStreamConfigurationProvider"],
            _logger.Entries.Where(e => e.Id.Name == "RuleLoaded").Select(e => e.Message));
    }

    [Fact]
    public void FirstLoad_WithoutRules_SaysWhatIsStored()
    {
        using var provider = new RuleSetProvider(Build("""{ "Isr": { "Origin": "http://o" } }""", out _), _logger);

        var entry = Assert.Single(_logger.Entries);
        Assert.Equal("NoRules", entry.Id.Name);
    }

    [Fact]
    public void UnmatchedPaths_TakeTheProxysIgnoreCookies_AndABadNameIsRefused()
    {
        using var provider = new RuleSetProvider(
            Build("""{ "Isr": { "Proxy": { "IgnoreCookies": ["_ga*", "_gid"] }, "Routes": [{ "Match": "/blog/**" }] } }""", out _), _logger);

        var unmatched = provider.Current.Match("/about");
        Assert.True(unmatched.IsDefault);
        Assert.Equal(["_ga*", "_gid"], unmatched.IgnoreCookies.Order(StringComparer.Ordinal));
        Assert.Empty(provider.Current.Match("/blog/a").IgnoreCookies);

        var ex = Assert.Throws<OptionsValidationException>(
            () => new RuleSetProvider(Build("""{ "Isr": { "Proxy": { "IgnoreCookies": ["a b"] } } }""", out _), _logger));
        Assert.Equal(["Isr:Proxy:IgnoreCookies:0: 'a b' is not a cookie name; a trailing '*' makes it a prefix, as in '_ga*'."], ex.Failures);
    }

    [Fact]
    public void RulesFromTwoSources_AreRefused_NamingBoth()
    {
        // A file's five rules with two more given by the command line: .NET would merge them into rules 0-1 of one
        // and 2-4 of the other, and rule 0 with keys of both.
        var file = """{ "Isr": { "Routes": [{ "Match": "/a", "Revalidate": 60 }, { "Match": "/b" }, { "Match": "/c" }, { "Match": "/d" }, { "Match": "/e" }] } }""";
        var configuration = new ConfigurationBuilder()
            .AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(file)))
            .AddCommandLine(["--Isr:Routes:0:Match=/docs/**", "--Isr:Routes:0:Fallback=false", "--Isr:Routes:1:Match=/**"])
            .Build();

        var ex = Assert.Throws<OptionsValidationException>(() => new RuleSetProvider(configuration, _logger));

        var failure = Assert.Single(ex.Failures);
        Assert.StartsWith("Isr:Routes: rules are given by more than one configuration source:", failure, StringComparison.Ordinal);
        Assert.Contains("JsonStreamConfigurationProvider (rules 0, 2, 3, 4)", failure, StringComparison.Ordinal);
        Assert.Contains("the command line (rules 0, 1)", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Reload_ThatMixesSources_IsRejected()
    {
        var memory = new Dictionary<string, string?>();
        var configuration = new ConfigurationBuilder()
            .Add(new ReloadableJsonConfiguration(TwoRules))
            .AddInMemoryCollection(memory)
            .Build();
        using var provider = new RuleSetProvider(configuration, _logger);

        configuration.Providers.Last().Set("Isr:Routes:1:Revalidate", "5");
        configuration.Reload();

        Assert.Null(provider.Current.Rules[1].Revalidate);
        Assert.Contains("more than one configuration source", Assert.Single(Reloads).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reload_ThatChangesNoRule_IsNotLogged()
    {
        using var provider = new RuleSetProvider(Build(TwoRules, out var source), _logger);
        var before = provider.Current;

        source.Replace(TwoRules);
        source.Replace(TwoRules);

        Assert.Same(before, provider.Current);
        Assert.Empty(Reloads);
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
        var entry = Assert.Single(Reloads);
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
        var entry = Assert.Single(Reloads);
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
        Assert.Equal([LogLevel.Warning, LogLevel.Information], Reloads.Select(entry => entry.Level));
    }

    [Fact]
    public void Reload_EveryChange_IsSeen()
    {
        using var provider = new RuleSetProvider(Build(TwoRules, out var source), _logger);

        source.Replace(ThreeRules);
        source.Replace(TwoRules);

        Assert.Equal(2, provider.Current.Rules.Count);
        Assert.Equal(2, Reloads.Count());
    }

    [Fact]
    public void Dispose_StopsFollowingReloads()
    {
        var provider = new RuleSetProvider(Build(TwoRules, out var source), _logger);
        provider.Dispose();

        source.Replace(ThreeRules);

        Assert.Equal(2, provider.Current.Rules.Count);
        Assert.Empty(Reloads);
    }

    // The log lines of reloads, without the startup lines that name each rule's source.
    private IEnumerable<(LogLevel Level, EventId Id, string Message)> Reloads
        => _logger.Entries.Where(e => e.Id.Name is "RulesReloaded" or "RulesReloadRejected");

    private static IConfigurationRoot Build(string json, out ReloadableJsonConfiguration source)
    {
        source = new ReloadableJsonConfiguration(json);
        return new ConfigurationBuilder().Add(source).Build();
    }
}
