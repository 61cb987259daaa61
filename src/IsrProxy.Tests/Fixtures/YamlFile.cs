using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace IsrProxy.Tests.Fixtures;

/// <summary>YAML files of the repository (compose file, Kubernetes manifests) as nodes a test can walk.</summary>
public static class YamlFile
{
    /// <summary>Every document of a multi-document file, each a mapping.</summary>
    public static IReadOnlyList<YamlMappingNode> Documents(string relativePath)
    {
        var stream = new YamlStream();
        using (var reader = new StringReader(RepositoryFiles.Read(relativePath)))
        {
            stream.Load(reader);
        }

        return stream.Documents
            .Select(d => d.RootNode as YamlMappingNode ?? throw new InvalidOperationException($"{relativePath}: a document is not a mapping."))
            .ToList();
    }

    public static YamlMappingNode Single(string relativePath) => Assert.Single(Documents(relativePath));

    /// <summary>The node at a path of mapping keys and sequence indexes ("spec", "template", "containers", "0"), or null.</summary>
    public static YamlNode? Find(this YamlNode node, params string[] path)
    {
        var current = node;
        foreach (var step in path)
        {
            current = current switch
            {
                YamlMappingNode map => map.Children.TryGetValue(new YamlScalarNode(step), out var child) ? child : null,
                YamlSequenceNode list when int.TryParse(step, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < list.Children.Count => list.Children[i],
                _ => null,
            };
            if (current is null)
            {
                return null;
            }
        }

        return current;
    }

    public static YamlNode At(this YamlNode node, params string[] path)
        => node.Find(path) ?? throw new InvalidOperationException($"Nothing at '{string.Join('.', path)}' in {Describe(node)}.");

    public static string Scalar(this YamlNode node, params string[] path)
        => node.At(path) is YamlScalarNode { Value: { } value } ? value : throw new InvalidOperationException($"'{string.Join('.', path)}' is not a scalar in {Describe(node)}.");

    public static string? ScalarOrNull(this YamlNode node, params string[] path) => (node.Find(path) as YamlScalarNode)?.Value;

    public static YamlMappingNode Map(this YamlNode node, params string[] path)
        => node.At(path) as YamlMappingNode ?? throw new InvalidOperationException($"'{string.Join('.', path)}' is not a mapping in {Describe(node)}.");

    public static IReadOnlyList<YamlNode> List(this YamlNode node, params string[] path)
        => node.At(path) is YamlSequenceNode list ? list.Children.ToList() : throw new InvalidOperationException($"'{string.Join('.', path)}' is not a sequence in {Describe(node)}.");

    public static IReadOnlyList<string> Scalars(this YamlNode node, params string[] path)
        => node.List(path).Select(n => ((YamlScalarNode)n).Value ?? string.Empty).ToList();

    /// <summary>A mapping's keys and scalar values.</summary>
    public static IReadOnlyDictionary<string, string> Pairs(this YamlNode node, params string[] path)
        => node.Map(path).Children.ToDictionary(c => ((YamlScalarNode)c.Key).Value ?? string.Empty, c => ((YamlScalarNode)c.Value).Value ?? string.Empty, StringComparer.Ordinal);

    public static IReadOnlyList<string> Keys(this YamlNode node, params string[] path)
        => node.Map(path).Children.Keys.Select(k => ((YamlScalarNode)k).Value ?? string.Empty).ToList();

    /// <summary>The same tree as JSON, to compare whole subtrees with <see cref="JsonNode.DeepEquals"/>.</summary>
    public static JsonNode? ToJson(this YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value ?? string.Empty, c.Value.ToJson()))),
        YamlSequenceNode list => new JsonArray(list.Children.Select(c => c.ToJson()).ToArray()),
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => null,
    };

    private static string Describe(YamlNode node) => $"the node at line {node.Start.Line}";
}
