using YamlDotNet.RepresentationModel;

namespace IsrProxy.Tests.Fixtures;

/// <summary>The Kubernetes objects of <c>deploy/</c>: those its kustomization.yaml applies, looked up by kind and name.</summary>
public static class KubernetesManifests
{
    public const string Kustomization = "deploy/kustomization.yaml";
    public const string SecretExample = "deploy/secret.example.yaml";
    public const string ProxyName = "isrproxy";

    /// <summary>The files kustomization.yaml lists, as repository paths.</summary>
    public static IReadOnlyList<string> Resources()
        => YamlFile.Single(Kustomization).Scalars("resources").Select(r => "deploy/" + r).ToList();

    public static IReadOnlyList<YamlMappingNode> Objects() => Resources().SelectMany(YamlFile.Documents).ToList();

    public static YamlMappingNode Get(string kind, string name)
    {
        var matches = Objects().Where(o => o.Scalar("kind") == kind && o.Scalar("metadata", "name") == name).ToList();
        Assert.True(matches.Count == 1, $"deploy/ should hold one {kind} named '{name}', not {matches.Count}.");
        return matches[0];
    }

    public static YamlMappingNode ProxyDeployment() => Get("Deployment", ProxyName);

    public static YamlMappingNode ProxyContainer() => Container(ProxyDeployment());

    /// <summary>The pod template's only container.</summary>
    public static YamlMappingNode Container(YamlNode workload)
        => (YamlMappingNode)Assert.Single(workload.List("spec", "template", "spec", "containers"));

    /// <summary>A container's variables with a literal value.</summary>
    public static IReadOnlyDictionary<string, string> LiteralEnv(YamlNode container)
        => container.List("env")
            .Where(e => e.Find("value") is not null)
            .ToDictionary(e => e.Scalar("name"), e => e.Scalar("value"), StringComparer.Ordinal);

    /// <summary>A container's variables taken from a Secret: name to (Secret, key).</summary>
    public static IReadOnlyDictionary<string, (string Secret, string Key)> SecretEnv(YamlNode container)
        => container.List("env")
            .Where(e => e.Find("valueFrom", "secretKeyRef") is not null)
            .ToDictionary(e => e.Scalar("name"), e => (e.Scalar("valueFrom", "secretKeyRef", "name"), e.Scalar("valueFrom", "secretKeyRef", "key")), StringComparer.Ordinal);

    public static string ContainerPort(YamlNode container, string portName)
        => container.List("ports").Single(p => p.ScalarOrNull("name") == portName).Scalar("containerPort");
}
