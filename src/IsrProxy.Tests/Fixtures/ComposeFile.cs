using YamlDotNet.RepresentationModel;

namespace IsrProxy.Tests.Fixtures;

/// <summary>docker-compose.yml at the repository root.</summary>
public static class ComposeFile
{
    public const string Path = "docker-compose.yml";
    public static readonly IReadOnlyList<string> ProxyServices = ["proxy-a", "proxy-b"];

    public static YamlMappingNode Root() => YamlFile.Single(Path);

    public static YamlMappingNode Service(string name) => Root().Map("services", name);

    /// <summary>The container port of a "host:container" port mapping.</summary>
    public static string ContainerPort(string mapping) => mapping[(mapping.LastIndexOf(':') + 1)..];

    public static string HostPort(string mapping) => mapping[..mapping.LastIndexOf(':')];
}
