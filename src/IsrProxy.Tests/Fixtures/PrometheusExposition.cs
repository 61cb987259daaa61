namespace IsrProxy.Tests.Fixtures;

/// <summary>A parsed and validated exposition, with lookups that fail with the candidates listed.</summary>
internal sealed class PrometheusExposition
{
    internal PrometheusExposition(IReadOnlyDictionary<string, PrometheusMetricFamily> families, IReadOnlyList<PrometheusSample> samples)
    {
        Families = families;
        Samples = samples;
    }

    public IReadOnlyDictionary<string, PrometheusMetricFamily> Families { get; }

    public IReadOnlyList<PrometheusSample> Samples { get; }

    public PrometheusMetricFamily Family(string name) =>
        Families.TryGetValue(name, out var family)
            ? family
            : throw new KeyNotFoundException($"No family '{name}'. Families: {string.Join(", ", Families.Keys)}");

    /// <summary>Samples named <paramref name="name"/> that carry at least the given labels.</summary>
    public IReadOnlyList<PrometheusSample> Find(string name, params (string Name, string Value)[] labels) =>
        Samples.Where(s => s.Name == name && s.HasLabels(labels)).ToList();

    /// <summary>The value of the one sample named <paramref name="name"/> carrying at least the given labels.</summary>
    public double Value(string name, params (string Name, string Value)[] labels)
    {
        var matches = Find(name, labels);
        if (matches.Count == 1)
        {
            return matches[0].Value;
        }

        var wanted = string.Join(",", labels.Select(l => $"{l.Name}=\"{l.Value}\""));
        var candidates = string.Join("\n  ", Samples.Where(s => s.Name == name));
        throw new InvalidOperationException(
            $"Expected one sample {name}{{{wanted}}} but found {matches.Count}. Samples named '{name}':\n  {candidates}");
    }
}
