namespace IsrProxy.Tests.Fixtures;

/// <summary>A family declared by <c># TYPE</c>, with its optional <c># HELP</c> and its samples in text order.</summary>
internal sealed class PrometheusMetricFamily
{
    internal PrometheusMetricFamily(string name, string type, int typeLine)
    {
        Name = name;
        Type = type;
        TypeLine = typeLine;
    }

    public string Name { get; }

    public string Type { get; }

    public string? Help { get; internal set; }

    public List<PrometheusSample> Samples { get; } = [];

    internal int TypeLine { get; }
}
