using IsrProxy.LoadTool;

// The benchmark's own load and report tool (bench/run.sh runs it pinned to the load core). Every measuring command
// prints one line "RESULT key=value ..." that run.sh appends to bench/out/results.txt; `report` turns that file into
// bench/RESULTS.md.
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: LoadTool warm|check|collapse|stale|purge|report --option value ...");
    return 2;
}

var time = TimeProvider.System;
try
{
    var options = CommandLine.Parse(args.AsSpan(1));
    using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(options.Int("deadline-seconds", 600)), time);
    var ct = deadline.Token;
    return args[0] switch
    {
        "warm" => await new WarmCommand(time).RunAsync(options, ct),
        "check" => await new CheckCommand().RunAsync(options, ct),
        "collapse" => await new CollapseCommand(time).RunAsync(options, ct),
        "stale" => await new StaleCommand(time).RunAsync(options, ct),
        "purge" => await new PurgeCommand(time).RunAsync(options, ct),
        "report" => new ReportCommand().Run(options),
        _ => throw new ArgumentException($"command '{args[0]}' is not warm, check, collapse, stale, purge or report."),
    };
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"LoadTool {args[0]}: {ex.Message}");
    return 2;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine($"LoadTool {args[0]}: did not finish before its deadline (--deadline-seconds).");
    return 1;
}
catch (HttpRequestException ex)
{
    Console.Error.WriteLine($"LoadTool {args[0]}: a request failed: {ex.Message}");
    return 1;
}
