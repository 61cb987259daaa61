using IsrProxy.Hosting;
using Microsoft.AspNetCore.Hosting;

namespace IsrProxy.Tests.Unit.Hosting;

public sealed class HealthCheckCommandTests
{
    [Theory]
    [InlineData("http://+:8080", null, "http://127.0.0.1:8080/healthz")]
    [InlineData("http://*:8080", null, "http://127.0.0.1:8080/healthz")]
    [InlineData("http://0.0.0.0:9000", null, "http://127.0.0.1:9000/healthz")]
    [InlineData("http://[::]:8080", null, "http://[::1]:8080/healthz")]
    [InlineData("http://localhost:8080", null, "http://localhost:8080/healthz")]
    [InlineData("http://10.1.2.3:8080", null, "http://10.1.2.3:8080/healthz")]
    [InlineData("https://+:8443; http://+:8080", null, "http://127.0.0.1:8080/healthz")]
    [InlineData(null, "8080", "http://127.0.0.1:8080/healthz")]
    [InlineData("", "8081;8082", "http://127.0.0.1:8081/healthz")]
    [InlineData(null, null, "http://localhost:5000/healthz")]
    public void ProbeUri_ListeningAddress_IsAskedOverLoopback(string? urls, string? httpPorts, string expected)
    {
        var uri = HealthCheckCommand.ProbeUri(urls, httpPorts, out var problem);

        Assert.Equal(new Uri(expected), uri);
        Assert.Empty(problem);
    }

    [Theory]
    [InlineData("https://+:8443", "Urls: 'https://+:8443' has no http:// TCP address to ask for /healthz.")]
    [InlineData("http://unix:/run/isrproxy.sock", "Urls: 'http://unix:/run/isrproxy.sock' has no http:// TCP address to ask for /healthz.")]
    [InlineData("http://127.0.0.1:0", "Urls: 'http://127.0.0.1:0' listens on a port chosen at startup, which a health check cannot know.")]
    [InlineData("localhost:8080", "Urls: 'localhost:8080' is not an address to listen on.")]
    public void ProbeUri_NoAddressToAsk_SaysWhichValue(string urls, string expected)
    {
        Assert.Null(HealthCheckCommand.ProbeUri(urls, null, out var problem));
        Assert.Equal(expected, problem);
    }

    [Theory]
    [InlineData(new[] { "--healthcheck" }, true)]
    [InlineData(new[] { "--Isr:Origin=http://localhost:3000", "--HealthCheck" }, true)]
    [InlineData(new[] { "--Isr:Origin=http://localhost:3000" }, false)]
    [InlineData(new[] { "--healthcheck=1" }, false)]
    public void IsRequested_OnlyTheBareFlag_Counts(string[] args, bool expected)
    {
        Assert.Equal(expected, HealthCheckCommand.IsRequested(args));
    }

    [Fact]
    public void ReadConfiguration_CommandLine_WinsOverAppsettings()
    {
        var folder = Directory.CreateTempSubdirectory("isrproxy-healthcheck-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "appsettings.json"), """{ "Urls": "http://localhost:8080" }""");

            var fromFile = HealthCheckCommand.ReadConfiguration([], folder);
            var fromArgs = HealthCheckCommand.ReadConfiguration(["--Urls=http://+:9090"], folder);

            Assert.Equal("http://localhost:8080", fromFile[WebHostDefaults.ServerUrlsKey]);
            Assert.Equal("http://+:9090", fromArgs[WebHostDefaults.ServerUrlsKey]);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void ReadConfiguration_EnvironmentFile_WinsOverAppsettings()
    {
        var folder = Directory.CreateTempSubdirectory("isrproxy-healthcheck-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "appsettings.json"), """{ "Urls": "http://localhost:8080" }""");
            File.WriteAllText(Path.Combine(folder, "appsettings.Staging.json"), """{ "Urls": "http://localhost:8088" }""");

            var configuration = HealthCheckCommand.ReadConfiguration(["--environment=Staging"], folder);

            Assert.Equal("http://localhost:8088", configuration[WebHostDefaults.ServerUrlsKey]);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
