using System.Globalization;
using IsrProxy.Tests.Fixtures;

namespace IsrProxy.Tests.Unit.Deployment;

/// <summary>docker-compose.yml and deploy/ describe the same deployment: images, settings, ports, secrets, security.</summary>
public sealed class DeploymentParityTests
{
    [Fact]
    public void ProxySettings_AreTheSame()
    {
        var compose = ComposeFile.Service("proxy-a").Pairs("environment").Select(p => KeyValuePair.Create(p.Key, RedisDeployment.Normalise(p.Value)));
        var kubernetes = KubernetesManifests.LiteralEnv(KubernetesManifests.ProxyContainer()).Select(p => KeyValuePair.Create(p.Key, RedisDeployment.Normalise(p.Value)));

        Assert.Equal(compose.OrderBy(p => p.Key, StringComparer.Ordinal), kubernetes.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void SecretSettings_AreTheSame()
    {
        var fromEnvFile = RepositoryFiles.Read(".env.example").Split('\n', StringSplitOptions.TrimEntries)
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l[..l.IndexOf('=', StringComparison.Ordinal)]);
        var fromSecret = KubernetesManifests.SecretEnv(KubernetesManifests.ProxyContainer()).Keys;

        Assert.Equal(fromEnvFile.Order(StringComparer.Ordinal), fromSecret.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("proxy-a", "Deployment", "isrproxy")]
    [InlineData("origin", "Deployment", "origin")]
    [InlineData("redis", "StatefulSet", "redis")]
    public void Images_AreTheSame(string service, string kind, string workload)
    {
        Assert.Equal(ComposeFile.Service(service).Scalar("image"), KubernetesManifests.Container(KubernetesManifests.Get(kind, workload)).Scalar("image"));
    }

    [Fact]
    public void RedisCommand_IsTheSame()
    {
        Assert.Equal(
            ComposeFile.Service("redis").Scalars("command").Select(RedisDeployment.Normalise),
            KubernetesManifests.Container(KubernetesManifests.Get("StatefulSet", "redis")).Scalars("args").Select(RedisDeployment.Normalise));
    }

    [Fact]
    public void RedisMemoryLimit_IsTheSame()
    {
        var container = KubernetesManifests.Container(KubernetesManifests.Get("StatefulSet", "redis"));

        Assert.Equal(
            RedisDeployment.KubernetesBytes(container.Scalar("resources", "limits", "memory")),
            RedisDeployment.ComposeBytes(ComposeFile.Service("redis").Scalar("mem_limit")));
    }

    [Fact]
    public void RedisPassword_IsTheVariableTheProxiesConnectWith_InBoth()
    {
        var composeRedis = ComposeFile.Service("redis");
        var composePassword = RedisDeployment.Variable(RedisDeployment.Option(composeRedis.Scalars("command"), "--requirepass"));
        var composeProxy = ComposeFile.Service("proxy-a").Pairs("environment")["Isr__Store__Redis"];

        Assert.Equal("REDIS_PASSWORD", composePassword);
        Assert.EndsWith(",password=${REDIS_PASSWORD:?set REDIS_PASSWORD in .env}", composeProxy, StringComparison.Ordinal);
        Assert.Equal("$REDIS_PASSWORD", RedisDeployment.Normalise(composeRedis.Pairs("environment")["REDISCLI_AUTH"]));
        Assert.Contains("REDIS_PASSWORD", RepositoryFiles.Read(".env.example").Split('\n').Select(l => l.Split('=')[0]));

        var redis = KubernetesManifests.Container(KubernetesManifests.Get("StatefulSet", "redis"));
        var proxy = KubernetesManifests.ProxyContainer();
        var redisVariable = RedisDeployment.Variable(RedisDeployment.Option(redis.Scalars("args"), "--requirepass"))!;
        var proxyVariable = RedisDeployment.Variable(KubernetesManifests.LiteralEnv(proxy)["Isr__Store__Redis"].Split(',').Single(o => o.StartsWith("password=", StringComparison.Ordinal)))!;

        Assert.Equal(KubernetesManifests.SecretEnv(redis)[redisVariable], KubernetesManifests.SecretEnv(proxy)[proxyVariable]);
        Assert.Equal(("isrproxy", "redis-password"), KubernetesManifests.SecretEnv(proxy)[proxyVariable]);
        Assert.Equal("$" + redisVariable, RedisDeployment.Normalise(KubernetesManifests.LiteralEnv(redis)["REDISCLI_AUTH"]));

        // Kubernetes expands $(NAME) only from variables defined earlier in the list.
        var names = proxy.List("env").Select(e => e.Scalar("name")).ToList();
        Assert.True(names.IndexOf(proxyVariable) < names.IndexOf("Isr__Store__Redis"), $"{proxyVariable} must come before Isr__Store__Redis.");
        var redisNames = redis.List("env").Select(e => e.Scalar("name")).ToList();
        Assert.True(redisNames.IndexOf(redisVariable) < redisNames.IndexOf("REDISCLI_AUTH"), $"{redisVariable} must come before REDISCLI_AUTH.");
    }

    [Theory]
    [InlineData("proxy-a", "Deployment", "isrproxy", "Dockerfile")]
    [InlineData("origin", "Deployment", "origin", "samples/SampleOrigin/Dockerfile")]
    public void Ports_AreTheSame_AsTheImageExposes(string service, string kind, string workload, string dockerfile)
    {
        var composePort = ComposeFile.ContainerPort(Assert.Single(ComposeFile.Service(service).Scalars("ports")));
        var container = KubernetesManifests.Container(KubernetesManifests.Get(kind, workload));
        var exposed = Assert.Single(DockerfileInstructions.Parse(dockerfile).FinalStage(), i => i.Keyword == "EXPOSE").Arguments;

        Assert.Equal(exposed, composePort);
        Assert.Equal(exposed, KubernetesManifests.ContainerPort(container, "http"));
        Assert.Equal(exposed, Assert.Single(KubernetesManifests.Get("Service", workload).List("spec", "ports")).Scalar("port"));
    }

    [Fact]
    public void OriginAndRedisAddresses_NameServicesThatExist_OnTheirPorts()
    {
        var settings = KubernetesManifests.LiteralEnv(KubernetesManifests.ProxyContainer());
        var origin = new Uri(settings["Isr__Origin"]);
        var redis = settings["Isr__Store__Redis"].Split(',')[0].Split(':');

        Assert.Equal(origin.Port.ToString(CultureInfo.InvariantCulture), Assert.Single(KubernetesManifests.Get("Service", origin.Host).List("spec", "ports")).Scalar("port"));
        Assert.Equal(redis[1], Assert.Single(KubernetesManifests.Get("Service", redis[0]).List("spec", "ports")).Scalar("port"));
        Assert.Contains(origin.Host, ComposeFile.Root().Keys("services"));
        Assert.Contains(redis[0], ComposeFile.Root().Keys("services"));
    }

    [Fact]
    public void ProxyReplicas_AreTwoOrMore_InBoth()
    {
        var composeProxies = ComposeFile.Root().Keys("services").Count(s => ComposeFile.Service(s).ScalarOrNull("image") == ComposeFile.Service("proxy-a").Scalar("image"));

        Assert.Equal(2, composeProxies);
        Assert.True(int.Parse(KubernetesManifests.ProxyDeployment().Scalar("spec", "replicas"), CultureInfo.InvariantCulture) >= composeProxies);
    }

    [Fact]
    public void Config_IsMountedAtTheSamePath_AsTheWorkingDirectory()
    {
        var compose = ComposeFile.Service("proxy-a");
        var container = KubernetesManifests.ProxyContainer();

        Assert.Equal(compose.Scalar("working_dir"), container.Scalar("workingDir"));
        Assert.Equal(compose.Scalars("volumes").Single().Split(':')[1], container.List("volumeMounts").Single(m => m.ScalarOrNull("readOnly") == "true").Scalar("mountPath"));
    }

    [Fact]
    public void ProxySecurity_IsTheSame()
    {
        var compose = ComposeFile.Service("proxy-a");
        var container = KubernetesManifests.ProxyContainer();

        Assert.Equal("true", compose.Scalar("read_only"));
        Assert.Equal(container.Scalar("securityContext", "readOnlyRootFilesystem"), compose.Scalar("read_only"));
        Assert.Equal(container.Scalars("securityContext", "capabilities", "drop"), compose.Scalars("cap_drop"));
        Assert.Equal(["no-new-privileges:true"], compose.Scalars("security_opt"));
        Assert.Equal(["/tmp"], compose.Scalars("tmpfs"));
        Assert.Contains(container.List("volumeMounts"), m => m.Scalar("mountPath") == "/tmp");
    }

    [Fact]
    public void StopGracePeriod_IsTheSame()
    {
        var pod = KubernetesManifests.ProxyDeployment().Map("spec", "template", "spec");

        Assert.Equal(pod.Scalar("terminationGracePeriodSeconds") + "s", ComposeFile.Service("proxy-a").Scalar("stop_grace_period"));
    }
}
