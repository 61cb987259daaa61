using System.Globalization;
using System.Text.Json.Nodes;
using IsrProxy.Tests.Fixtures;
using YamlDotNet.RepresentationModel;

namespace IsrProxy.Tests.Unit.Deployment;

/// <summary>The manifests of <c>deploy/</c>, parsed: kinds, replicas, probes, resources, security, the Secret.</summary>
public sealed class KubernetesManifestTests
{
    [Fact]
    public void Kustomization_ListsEveryManifest_ButTheSecretExample()
    {
        var manifests = Directory.GetFiles(RepositoryFiles.PathOf("deploy"), "*.yaml")
            .Select(f => "deploy/" + Path.GetFileName(f))
            .Where(f => f != KubernetesManifests.Kustomization && f != KubernetesManifests.SecretExample)
            .Order(StringComparer.Ordinal);

        Assert.Equal(manifests, KubernetesManifests.Resources().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Manifests_HoldEveryObjectOfTheDeployment()
    {
        var objects = KubernetesManifests.Objects().Select(o => $"{o.Scalar("apiVersion")} {o.Scalar("kind")} {o.Scalar("metadata", "name")}").Order(StringComparer.Ordinal);

        Assert.Equal(
            [
                "apps/v1 Deployment isrproxy",
                "apps/v1 Deployment origin",
                "apps/v1 StatefulSet redis",
                "autoscaling/v2 HorizontalPodAutoscaler isrproxy",
                "policy/v1 PodDisruptionBudget isrproxy",
                "v1 ConfigMap isrproxy-config",
                "v1 Service isrproxy",
                "v1 Service origin",
                "v1 Service redis",
            ],
            objects);
    }

    [Fact]
    public void Deployment_RunsAtLeastTwoReplicas_WithReadinessAndLivenessProbes()
    {
        var container = KubernetesManifests.ProxyContainer();

        Assert.True(int.Parse(KubernetesManifests.ProxyDeployment().Scalar("spec", "replicas"), CultureInfo.InvariantCulture) >= 2);
        Assert.Equal("/readyz", container.Scalar("readinessProbe", "httpGet", "path"));
        Assert.Equal("http", container.Scalar("readinessProbe", "httpGet", "port"));
        Assert.Equal("/healthz", container.Scalar("livenessProbe", "httpGet", "path"));
        Assert.Equal("http", container.Scalar("livenessProbe", "httpGet", "port"));
        Assert.Equal("8080", KubernetesManifests.ContainerPort(container, "http"));
    }

    [Theory]
    [InlineData("Deployment", "isrproxy")]
    [InlineData("Deployment", "origin")]
    [InlineData("StatefulSet", "redis")]
    public void Workload_HasResourceRequestsAndLimits(string kind, string name)
    {
        var resources = KubernetesManifests.Container(KubernetesManifests.Get(kind, name)).Map("resources");

        foreach (var bound in new[] { "requests", "limits" })
        {
            Assert.Equal(["cpu", "memory"], resources.Keys(bound));
        }
    }

    [Theory]
    [InlineData("Deployment", "isrproxy")]
    [InlineData("Deployment", "origin")]
    [InlineData("StatefulSet", "redis")]
    public void Workload_RunsAsNonRoot_ReadOnly_WithoutCapabilities(string kind, string name)
    {
        var workload = KubernetesManifests.Get(kind, name);
        var pod = workload.Map("spec", "template", "spec");
        var container = KubernetesManifests.Container(workload);

        Assert.Equal("true", pod.Scalar("securityContext", "runAsNonRoot"));
        Assert.NotEqual("0", pod.Scalar("securityContext", "runAsUser"));
        Assert.Equal("RuntimeDefault", pod.Scalar("securityContext", "seccompProfile", "type"));
        Assert.Equal("false", pod.Scalar("automountServiceAccountToken"));
        Assert.Equal("false", container.Scalar("securityContext", "allowPrivilegeEscalation"));
        Assert.Equal("true", container.Scalar("securityContext", "readOnlyRootFilesystem"));
        Assert.Equal(["ALL"], container.Scalars("securityContext", "capabilities", "drop"));
    }

    [Fact]
    public void Deployment_RunsTheImagesNonRootUser()
    {
        // The image's USER is $APP_UID, 1654 in the .NET images; runAsNonRoot needs a numeric user to check.
        Assert.Equal("1654", KubernetesManifests.ProxyDeployment().Scalar("spec", "template", "spec", "securityContext", "runAsUser"));
    }

    [Fact]
    public void Deployment_Secret_ComesFromTheSecretByReference_AndTheExampleHoldsNone()
    {
        var container = KubernetesManifests.ProxyContainer();
        var secret = YamlFile.Single(KubernetesManifests.SecretExample);

        var (name, key) = KubernetesManifests.SecretEnv(container)["Isr__Secret"];
        Assert.DoesNotContain("Isr__Secret", KubernetesManifests.LiteralEnv(container).Keys);
        Assert.Equal("Secret", secret.Scalar("kind"));
        Assert.Equal(secret.Scalar("metadata", "name"), name);
        Assert.Equal([key, "redis-password"], secret.Keys("stringData"));
        Assert.All(secret.Pairs("stringData").Values, v => Assert.Empty(v));
        Assert.Null(secret.Find("data"));
        Assert.DoesNotContain(KubernetesManifests.Objects(), o => o.Scalar("kind") == "Secret");
    }

    [Fact]
    public void Deployment_ReadsTheConfigMap_FromItsWorkingDirectory()
    {
        var deployment = KubernetesManifests.ProxyDeployment();
        var container = KubernetesManifests.ProxyContainer();
        var configMap = KubernetesManifests.Get("ConfigMap", "isrproxy-config");

        var volume = deployment.List("spec", "template", "spec", "volumes").Single(v => v.Find("configMap") is not null);
        var mount = container.List("volumeMounts").Single(m => m.Scalar("name") == volume.Scalar("name"));
        Assert.Equal(configMap.Scalar("metadata", "name"), volume.Scalar("configMap", "name"));
        Assert.Equal(container.Scalar("workingDir"), mount.Scalar("mountPath"));
        Assert.Equal(["appsettings.json"], configMap.Keys("data"));
        Assert.Equal("true", KubernetesManifests.LiteralEnv(container)["DOTNET_USE_POLLING_FILE_WATCHER"]);
    }

    [Fact]
    public void Deployment_WithAReadOnlyRoot_GetsAWritableTmp()
    {
        var deployment = KubernetesManifests.ProxyDeployment();
        var mount = KubernetesManifests.ProxyContainer().List("volumeMounts").Single(m => m.Scalar("mountPath") == "/tmp");

        var volume = deployment.List("spec", "template", "spec", "volumes").Single(v => v.Scalar("name") == mount.Scalar("name"));
        Assert.NotNull(volume.Find("emptyDir"));
    }

    [Fact]
    public void ConfigMap_AppSettings_IsTheFileComposeMounts()
    {
        var embedded = JsonNode.Parse(KubernetesManifests.Get("ConfigMap", "isrproxy-config").Scalar("data", "appsettings.json"));
        var file = JsonNode.Parse(RepositoryFiles.Read("deploy/config/appsettings.json"));

        Assert.True(JsonNode.DeepEquals(file, embedded), "deploy/configmap.yaml's appsettings.json differs from deploy/config/appsettings.json; copy the file into the ConfigMap.");
    }

    [Fact]
    public void Deployment_GracePeriod_CoversPreStopAndTheShutdownDrain()
    {
        var pod = KubernetesManifests.ProxyDeployment().Map("spec", "template", "spec");
        var preStop = int.Parse(KubernetesManifests.ProxyContainer().Scalar("lifecycle", "preStop", "sleep", "seconds"), CultureInfo.InvariantCulture);
        var drain = JsonNode.Parse(RepositoryFiles.Read("deploy/config/appsettings.json"))!["Isr"]!["Regeneration"]!["ShutdownTimeoutSeconds"]!.GetValue<int>();

        // The host waits for the drain plus 5 s (IsrServiceCollectionExtensions) after the preStop pause.
        Assert.True(int.Parse(pod.Scalar("terminationGracePeriodSeconds"), CultureInfo.InvariantCulture) > preStop + drain + 5);
    }

    [Theory]
    [InlineData("isrproxy", "Deployment", "isrproxy")]
    [InlineData("origin", "Deployment", "origin")]
    [InlineData("redis", "StatefulSet", "redis")]
    public void Service_SelectsItsWorkloadsPods_OnANamedPort(string service, string kind, string workload)
    {
        var svc = KubernetesManifests.Get("Service", service);
        var target = KubernetesManifests.Get(kind, workload);
        var labels = target.Pairs("spec", "template", "metadata", "labels");

        Assert.All(svc.Pairs("spec", "selector"), pair => Assert.Equal(pair.Value, labels[pair.Key]));
        var port = (YamlMappingNode)Assert.Single(svc.List("spec", "ports"));
        Assert.Equal(port.Scalar("port"), KubernetesManifests.ContainerPort(KubernetesManifests.Container(target), port.Scalar("targetPort")));
    }

    [Fact]
    public void DisruptionBudget_AndAutoscaler_KeepTwoProxiesAndLeaveOneUp()
    {
        var deployment = KubernetesManifests.ProxyDeployment();
        var pdb = KubernetesManifests.Get("PodDisruptionBudget", "isrproxy");
        var hpa = KubernetesManifests.Get("HorizontalPodAutoscaler", "isrproxy");

        Assert.Equal(deployment.Pairs("spec", "selector", "matchLabels"), pdb.Pairs("spec", "selector", "matchLabels"));
        Assert.Equal("1", pdb.Scalar("spec", "minAvailable"));
        Assert.Equal(("apps/v1", "Deployment", "isrproxy"), (hpa.Scalar("spec", "scaleTargetRef", "apiVersion"), hpa.Scalar("spec", "scaleTargetRef", "kind"), hpa.Scalar("spec", "scaleTargetRef", "name")));
        Assert.True(int.Parse(hpa.Scalar("spec", "minReplicas"), CultureInfo.InvariantCulture) >= 2);
        Assert.True(int.Parse(hpa.Scalar("spec", "maxReplicas"), CultureInfo.InvariantCulture) > int.Parse(hpa.Scalar("spec", "minReplicas"), CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Redis_StatefulSet_IsProbedAndKeepsItsDataOnAVolume()
    {
        var redis = KubernetesManifests.Get("StatefulSet", "redis");
        var container = KubernetesManifests.Container(redis);

        Assert.Equal("redis", redis.Scalar("spec", "serviceName"));
        Assert.Equal(["redis-cli", "ping"], container.Scalars("readinessProbe", "exec", "command"));
        Assert.Equal(["redis-cli", "ping"], container.Scalars("livenessProbe", "exec", "command"));
        var claim = (YamlMappingNode)Assert.Single(redis.List("spec", "volumeClaimTemplates"));
        Assert.Equal("/data", container.List("volumeMounts").Single(m => m.Scalar("name") == claim.Scalar("metadata", "name")).Scalar("mountPath"));
    }

    [Fact]
    public void Redis_HoldsAtMostThreeQuartersOfItsMemoryLimit_AndEvictsOnlyKeysWithATtl()
    {
        var container = KubernetesManifests.Container(KubernetesManifests.Get("StatefulSet", "redis"));
        var args = container.Scalars("args");
        var maxMemory = RedisDeployment.RedisBytes(RedisDeployment.Option(args, "--maxmemory"));
        var limit = RedisDeployment.KubernetesBytes(container.Scalar("resources", "limits", "memory"));

        // The rest of the limit is Redis's own overhead, fragmentation, client buffers and the AOF rewrite's fork.
        Assert.True(maxMemory <= limit * 3 / 4, $"maxmemory {maxMemory} should leave a quarter of the {limit} byte limit free.");
        Assert.True(maxMemory >= limit / 2, $"maxmemory {maxMemory} wastes most of the {limit} byte limit.");

        // Entries have a TTL; tag clocks and locks have none, and volatile-lru never evicts those.
        Assert.Equal("volatile-lru", RedisDeployment.Option(args, "--maxmemory-policy"));
    }

    [Fact]
    public void Redis_Password_ComesFromTheSecret_AndTheProbesUseIt()
    {
        var container = KubernetesManifests.Container(KubernetesManifests.Get("StatefulSet", "redis"));
        var variable = RedisDeployment.Variable(RedisDeployment.Option(container.Scalars("args"), "--requirepass"));

        Assert.NotNull(variable);
        Assert.Equal(("isrproxy", "redis-password"), KubernetesManifests.SecretEnv(container)[variable]);
        Assert.Equal($"$({variable})", KubernetesManifests.LiteralEnv(container)["REDISCLI_AUTH"]);     // redis-cli's password
    }
}
