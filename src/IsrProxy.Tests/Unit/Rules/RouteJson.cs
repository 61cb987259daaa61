using System.Text;
using IsrProxy.Rules;
using Microsoft.Extensions.Configuration;

namespace IsrProxy.Tests.Unit.Rules;

/// <summary>Compiles route rules from JSON text through the real JSON provider, as appsettings.json is read.</summary>
internal static class RouteJson
{
    public static IConfigurationRoot Configuration(string json) =>
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();

    public static RuleSet Compile(string routesJson, out List<string> errors)
    {
        var configuration = Configuration($$"""{ "Isr": { "Routes": {{routesJson}} } }""");
        errors = [];
        return RuleCompiler.Compile(configuration.GetSection("Isr:Routes"), errors);
    }

    public static RouteRule Single(string ruleJson)
    {
        var set = Compile($"[{ruleJson}]", out var errors);
        Assert.Empty(errors);
        return Assert.Single(set.Rules);
    }

    public static string SingleError(string ruleJson)
    {
        var set = Compile($"[{ruleJson}]", out var errors);
        Assert.Empty(set.Rules);
        return Assert.Single(errors);
    }
}
