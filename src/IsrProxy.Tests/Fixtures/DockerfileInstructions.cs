namespace IsrProxy.Tests.Fixtures;

/// <summary>Reads a Dockerfile as instructions: continuation lines joined, comments dropped, each with its stage.</summary>
public static class DockerfileInstructions
{
    public static IReadOnlyList<DockerfileInstruction> Parse(string relativePath)
    {
        var instructions = new List<DockerfileInstruction>();
        var stage = -1;
        var pending = string.Empty;
        foreach (var raw in RepositoryFiles.Read(relativePath).Split('\n'))
        {
            var line = raw.TrimEnd('\r').Trim();
            if (line.StartsWith('#') || (line.Length == 0 && pending.Length == 0))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }

            line = (pending + line).Trim();
            pending = string.Empty;
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var keyword = (space < 0 ? line : line[..space]).ToUpperInvariant();
            var arguments = space < 0 ? string.Empty : line[(space + 1)..].Trim();
            if (keyword == "FROM")
            {
                stage++;
            }

            instructions.Add(new DockerfileInstruction(stage, keyword, arguments));
        }

        return instructions;
    }

    public static IReadOnlyList<DockerfileInstruction> FinalStage(this IReadOnlyList<DockerfileInstruction> instructions)
    {
        var last = instructions.Max(i => i.Stage);
        return instructions.Where(i => i.Stage == last).ToList();
    }
}
