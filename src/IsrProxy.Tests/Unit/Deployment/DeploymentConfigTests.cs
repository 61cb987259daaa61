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
        Assert.Empty(Validate("samples/nextjs/isrproxy.json", []));
    }

    [Fact]
    public void NextJsExampleConfig_LeavesEverythingToNextJs()
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(RepositoryFiles.PathOf("samples/nextjs/isrproxy.json")).Build();

        // No rules: Next.js's own Cache-Control says what is stored and for how long.
        Assert.Empty(configuration.GetSection("Isr:Routes").GetChildren());
        Assert.Equal("true", configuration["Isr:NextJs:Enabled"], ignoreCase: true);
    }

    [Fact]
    public void ShippedAppSettings_ConfigureNothing()
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(RepositoryFiles.PathOf("appsettings.json")).Build();

        Assert.Null(configuration["Isr:Origin"]);
        Assert.Empty(configuration.GetSection("Isr:Routes").GetChildren());
    }

    [Fact]
    public void SampleOriginConfig_IsValid()
    {
        Assert.Empty(Validate("samples/SampleOrigin/isrproxy.json", []));
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
