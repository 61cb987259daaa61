using System.Globalization;

namespace IsrProxy.Tests.Fixtures;

/// <summary>One sample line: name, labels, value and optional timestamp (milliseconds since the epoch).</summary>
internal sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value, long? Timestamp, int LineNumber)
{
    public bool HasLabels(IEnumerable<(string Name, string Value)> labels) =>
        labels.All(l => Labels.TryGetValue(l.Name, out var value) && value == l.Value);

    public override string ToString() =>
        Name + "{" + string.Join(",", Labels.Select(l => $"{l.Key}=\"{l.Value}\"")) + "} " + Value.ToString("R", CultureInfo.InvariantCulture);
}
