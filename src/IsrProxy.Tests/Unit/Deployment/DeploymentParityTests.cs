using System.Globalization;
using IsrProxy.Tests.Fixtures;

namespace IsrProxy.Tests.Unit.Deployment;

/// <summary>docker-compose.yml and deploy/ describe the same deployment: images, settings, ports, secrets, security.</summary>
public sealed class DeploymentParityTests
{
    [Fact]
    public void ProxySettings_AreTheSame()
    {
        var compose = ComposeFile.Service("proxy-a").Pairs("environment");
        var kubernetes = KubernetesManifests.LiteralEnv(KubernetesManifests.ProxyContainer());

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
        Assert.Equal(ComposeFile.Service("redis").Scalars("command"), KubernetesManifests.Container(KubernetesManifests.Get("StatefulSet", "redis")).Scalars("args"));
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
        var redis = settings["Isr__Store__Redis"].Split(':');

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
