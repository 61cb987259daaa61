using IsrProxy.Configuration;
using IsrProxy.Tests.Fixtures;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace IsrProxy.Tests.Unit.Deployment;

/// <summary>The configuration the deployments run with passes the proxy's own startup validation.</summary>
public sealed class DeploymentConfigTests
{
    [Fact]
    public void DeploymentConfig_WithTheComposeVariables_IsValid()
    {
        var variables = ComposeFile.Service("proxy-a").Pairs("environment")
            .Select(p => KeyValuePair.Create(p.Key.Replace("__", ":", StringComparison.Ordinal), (string?)p.Value))
            .Append(KeyValuePair.Create("Isr:Secret", (string?)"a-long-random-secret"));

        var failures = Validate("deploy/config/appsettings.json", variables);

        Assert.Empty(failures);
    }

    [Fact]
    public void DeploymentConfig_WithoutTheVariables_LacksOnlyTheOrigin()
    {
        // The variables matter: the file leaves the per-environment origin to them.
        var failures = Validate("deploy/config/appsettings.json", []);

        Assert.Equal(["Isr:Origin: is required: the absolute http or https URL of the origin, such as 'http://localhost:3000'."], failures);
    }

    [Fact]
    public void NextJsExampleConfig_IsValid()
    {
        Assert.Empty(Validate("samples/nextjs/appsettings.json", []));
    }

    [Fact]
    public void NextJsExampleConfig_LeavesPageLifetimesToNextJs()
    {
        var routes = new ConfigurationBuilder().AddJsonFile(RepositoryFiles.PathOf("samples/nextjs/appsettings.json")).Build().GetSection("Isr:Routes").GetChildren().ToList();

        // Only immutable assets get a lifetime of their own; pages take Next.js's s-maxage.
        Assert.Equal(["/_next/static/**"], routes.Where(r => r["Revalidate"] is not null).Select(r => r["Match"]));
    }

    internal static IReadOnlyList<string> Validate(string appsettings, IEnumerable<KeyValuePair<string, string?>> variables)
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(RepositoryFiles.PathOf(appsettings), optional: false, reloadOnChange: false)
            .AddInMemoryCollection(variables)
            .Build();
        var options = configuration.GetSection(IsrOptions.Section).Get<IsrOptions>() ?? new IsrOptions();
        var result = new IsrOptionsValidator(configuration).Validate(Options.DefaultName, options);
        return result.Failures?.ToList() ?? [];
    }
}
