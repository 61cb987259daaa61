namespace IsrProxy.LoadTool;

/// <summary>Writes bench/RESULTS.md from the run's records, the machine and settings it ran with, and the notes.</summary>
internal sealed class ReportCommand
{
    public int Run(CommandLine options)
    {
        var results = ResultSet.Load(options.Required("results"));
        var report = new ResultsReport(
            results,
            HitPathAllocations.Load(options.Optional("bdn")),
            Fragment(options.Optional("machine")),
            Fragment(options.Optional("settings")),
            Fragment(options.Optional("notes")),
            options.Optional("mode") ?? "full",
            options.Optional("duration") ?? "—");
        var output = options.Required("out");
        File.WriteAllText(output, report.Render());
        Console.Out.WriteLine($"wrote {output}");
        return 0;
    }

    private static string Fragment(string? path) => path is not null && File.Exists(path) ? File.ReadAllText(path).TrimEnd() : "";
}
