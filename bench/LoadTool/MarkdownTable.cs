using System.Text;

namespace IsrProxy.LoadTool;

/// <summary>A GitHub-flavoured Markdown table: the first <see cref="TextColumns"/> columns left-aligned, the others
/// (figures) right-aligned.</summary>
internal sealed class MarkdownTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public int TextColumns { get; init; } = 1;

    public int Count => _rows.Count;

    public void Add(params string[] cells) => _rows.Add(cells);

    public void WriteTo(StringBuilder text)
    {
        text.Append("| ").AppendJoin(" | ", headers).AppendLine(" |");
        text.Append(string.Concat(headers.Select((_, i) => i < TextColumns ? "|:--" : "|--:"))).AppendLine("|");
        foreach (var row in _rows)
        {
            text.Append("| ").AppendJoin(" | ", row.Select(c => c.Replace("|", "\\|", StringComparison.Ordinal))).AppendLine(" |");
        }

        text.AppendLine();
    }
}
