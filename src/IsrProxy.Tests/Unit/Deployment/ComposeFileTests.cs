using System.Text.Json.Nodes;
using IsrProxy.Tests.Fixtures;
using YamlDotNet.RepresentationModel;

namespace IsrProxy.Tests.Unit.Deployment;

/// <summary>docker-compose.yml, parsed: Redis, two proxy replicas sharing it, the sample origin; no secret inline.</summary>
public sealed class ComposeFileTests
{
    [Fact]
    public void Compose_Services_AreRedisTwoProxiesAndTheOrigin()
    {
        Assert.Equal(["redis", "origin", "proxy-a", "proxy-b"], ComposeFile.Root().Keys("services"));
    }

    [Fact]
    public void Compose_Proxies_PublishDistinctHostPorts_OnContainerPort8080()
    {
        Assert.Equal(["8080:8080"], ComposeFile.Service("proxy-a").Scalars("ports"));
        Assert.Equal(["8081:8080"], ComposeFile.Service("proxy-b").Scalars("ports"));
        Assert.Equal(["3000:3000"], ComposeFile.Service("origin").Scalars("ports"));
        Assert.Null(ComposeFile.Service("redis").Find("ports"));              // reached by the proxies only
    }

    [Theory]
    [InlineData("proxy-a")]
    [InlineData("proxy-b")]
    public void Compose_Proxy_SharesRedis_InFrontOfTheOrigin(string service)
    {
        var proxy = ComposeFile.Service(service);
        var environment = proxy.Pairs("environment");

        Assert.Equal("Redis", environment["Isr__Store__Kind"]);
        Assert.Equal("redis:6379,password=${REDIS_PASSWORD:?set REDIS_PASSWORD in .env}", environment["Isr__Store__Redis"]);
        Assert.Equal("http://origin:3000", environment["Isr__Origin"]);
        Assert.Equal("service_healthy", proxy.Scalar("depends_on", "redis", "condition"));
        Assert.Equal("Dockerfile", proxy.Scalar("build", "dockerfile"));
        Assert.Equal(".", proxy.Scalar("build", "context"));
    }

    [Fact]
    public void Compose_ProxyReplicas_DifferOnlyInTheirHostPort()
    {
        var a = Without(ComposeFile.Service("proxy-a"), "ports");
        var b = Without(ComposeFile.Service("proxy-b"), "ports");

        Assert.True(JsonNode.DeepEquals(a.ToJson(), b.ToJson()), "proxy-a and proxy-b should be configured alike.");
    }

    [Fact]
    public void Compose_Secret_ComesFromTheEnvFile_NeverFromTheComposeFile()
    {
        foreach (var service in ComposeFile.Root().Keys("services"))
        {
            var environment = ComposeFile.Service(service).Find("environment");
            Assert.True(environment is null or YamlMappingNode, $"{service}: environment should be a mapping.");
            Assert.DoesNotContain(environment is null ? [] : environment.Keys(), k => k.StartsWith("Isr__Secret", StringComparison.OrdinalIgnoreCase));
        }

        foreach (var proxy in ComposeFile.ProxyServices)
        {
            Assert.Equal([".env"], ComposeFile.Service(proxy).Scalars("env_file"));
        }

        var uncommented = RepositoryFiles.Read(ComposeFile.Path).Split('\n').Where(l => !l.TrimStart().StartsWith('#'));
        Assert.DoesNotContain(uncommented, l => l.Contains("Secret", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void EnvFile_IsIgnoredByGit_AndItsExampleHoldsNoSecret()
    {
        var ignored = RepositoryFiles.Read(".gitignore").Split('\n', StringSplitOptions.TrimEntries);
        var example = RepositoryFiles.Read(".env.example").Split('\n', StringSplitOptions.TrimEntries).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();

        Assert.Contains(".env", ignored);
        Assert.Equal(["Isr__Secret=", "REDIS_PASSWORD="], example);
    }

    [Fact]
    public void Compose_Redis_HasAHealthcheck()
    {
        var redis = ComposeFile.Service("redis");

        Assert.StartsWith("redis:7", redis.Scalar("image"), StringComparison.Ordinal);
        Assert.Equal(["CMD", "redis-cli", "ping"], redis.Scalars("healthcheck", "test"));
    }

    [Fact]
    public void Compose_Redis_IsBoundedAndPasswordProtected_ByTheEnvFile()
    {
        var redis = ComposeFile.Service("redis");
        var command = redis.Scalars("command");

        Assert.Equal("volatile-lru", RedisDeployment.Option(command, "--maxmemory-policy"));
        Assert.True(RedisDeployment.RedisBytes(RedisDeployment.Option(command, "--maxmemory")) <= RedisDeployment.ComposeBytes(redis.Scalar("mem_limit")) * 3 / 4);
        Assert.Equal("${REDIS_PASSWORD:?set REDIS_PASSWORD in .env}", RedisDeployment.Option(command, "--requirepass"));
        Assert.Equal("${REDIS_PASSWORD:?set REDIS_PASSWORD in .env}", redis.Pairs("environment")["REDISCLI_AUTH"]);
    }

    [Theory]
    [InlineData("proxy-a")]
    [InlineData("proxy-b")]
    public void Compose_Proxy_ReadsTheDeploymentConfig_FromItsWorkingDirectory(string service)
    {
        var proxy = ComposeFile.Service(service);

        Assert.Equal(["./deploy/config:/etc/isrproxy:ro"], proxy.Scalars("volumes"));
        Assert.Equal("/etc/isrproxy", proxy.Scalar("working_dir"));
        Assert.True(RepositoryFiles.Exists("deploy/config/appsettings.json"));
    }

    [Fact]
    public void Compose_Origin_IsBuiltFromTheSampleSite()
    {
        var origin = ComposeFile.Service("origin");

        Assert.Equal("samples/SampleOrigin/Dockerfile", origin.Scalar("build", "dockerfile"));
        Assert.True(RepositoryFiles.Exists(origin.Scalar("build", "dockerfile")));
    }

    private static YamlMappingNode Without(YamlMappingNode node, string key)
    {
        var copy = new YamlMappingNode();
        foreach (var (k, v) in node.Children)
        {
            if (((YamlScalarNode)k).Value != key)
            {
                copy.Add(k, v);
            }
        }

        return copy;
    }
}
