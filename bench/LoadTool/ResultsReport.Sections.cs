using System.Text;

namespace IsrProxy.LoadTool;

internal sealed partial class ResultsReport
{
    private void HitSection(StringBuilder text, string phase, string title)
    {
        text.AppendLine($"## {title}").AppendLine();
        var sets = results.Values("hit", "set", ("phase", phase));
        if (sets.Count == 0)
        {
            text.AppendLine("Not run.").AppendLine();
            return;
        }

        text.AppendLine("Requests/s and latency percentiles are medians over the rounds; bytes per answer is the body and headers");
        text.AppendLine("wrk read, divided by requests; origin requests counts what reached the origin while measuring (0 means");
        text.AppendLine("every answer was a hit); CPU per answer is the user and kernel time of the target's processes while measured,");
        text.AppendLine("divided by its answers. The ratios compare each row with nginx and Varnish in the same scenario.").AppendLine();
        var table = new MarkdownTable(
            "pages", "conns", "target", "req/s", "p50 ms", "p99 ms", "p99.9 ms", "bytes/answer", "coding", "origin req.",
            "errors", "CPU µs/answer user + kernel", "req/s vs nginx", "req/s vs Varnish", "p99 vs nginx")
        {
            TextColumns = 3,
        };
        foreach (var set in sets)
        {
            foreach (var conns in results.Values("hit", "conns", ("phase", phase), ("set", set)))
            {
                var nginx = Hit(phase, set, conns, Nginx);
                var varnish = Hit(phase, set, conns, Varnish);
                foreach (var target in TargetsOf("hit", ("phase", phase), ("set", set), ("conns", conns)))
                {
                    var s = Hit(phase, set, conns, target);
                    if (s is null)
                    {
                        continue;
                    }

                    // The smaller 20 KB set is part of the larger one warmed and checked, so fall back on the same page size.
                    var checks = results.Of("check", ("phase", phase), ("target", target)).ToList();
                    var coding = (checks.FirstOrDefault(r => r.Is("set", set)) ?? checks.FirstOrDefault(r => r["set"].StartsWith(set[0])))?["encoding"] ?? "—";
                    table.Add(
                        Format.PageSet(set), conns, Name(target), Format.Whole(s.Rps), Format.Ms(s.P50), Format.Ms(s.P99),
                        Format.Ms(s.P999), Format.Whole(s.BytesPerAnswer), coding, Format.Whole(s.OriginRequests),
                        Format.Whole(s.Errors), Format.CpuSplit(s.UserUsPerAnswer, s.KernelUsPerAnswer), Format.Ratio(s.Rps / (nginx?.Rps ?? double.NaN)),
                        Format.Ratio(s.Rps / (varnish?.Rps ?? double.NaN)), Format.Ratio(s.P99 / (nginx?.P99 ?? double.NaN)));
                }
            }
        }

        table.WriteTo(text);
    }

    /// <summary>
    /// Where IsrProxy's HIT rate is lowest against nginx: the CPU each spent per answer there, split into user and
    /// kernel time. With one core serving, requests/s is about the inverse of CPU time per answer, so the split says
    /// whether the difference lies in the server's own code or in the system calls and TCP work below it.
    /// </summary>
    private void LimitsSection(StringBuilder text)
    {
        text.AppendLine("## What limits the HIT rate").AppendLine();
        var w = results.Values("hit", "phase")
            .SelectMany(phase => results.Values("hit", "conns", ("phase", phase))
                .Select(conns => (Phase: phase, Conns: conns, Worst: WorstRatio(phase, conns, Isr, Nginx, s => s.Rps, lowest: true))))
            .Where(c => !double.IsNaN(c.Worst.Ratio))
            .OrderBy(c => c.Worst.Ratio)
            .Select(c => (c.Phase, c.Worst.Set, c.Conns, Mine: Hit(c.Phase, c.Worst.Set, c.Conns, Isr)!, Theirs: Hit(c.Phase, c.Worst.Set, c.Conns, Nginx)!))
            .FirstOrDefault();
        if (w.Mine is null || double.IsNaN(w.Mine.UserUsPerAnswer) || double.IsNaN(w.Theirs.UserUsPerAnswer))
        {
            text.AppendLine("Not measured (no HIT scenario with CPU times for both IsrProxy and nginx).").AppendLine();
            return;
        }

        var clients = w.Phase == Browser ? "browser-like clients" : "identity clients";
        text.AppendLine($"IsrProxy's lowest HIT rate against nginx is on {Format.PageSet(w.Set)} pages at {w.Conns} connections, {clients}:");
        text.AppendLine($"{Format.Ratio(w.Mine.Rps / w.Theirs.Rps)} ({Format.Whole(w.Mine.Rps)} vs {Format.Whole(w.Theirs.Rps)} req/s). Both are given one core, so");
        text.AppendLine("requests per second are about the inverse of the CPU time each spends per answer:").AppendLine();
        var table = new MarkdownTable("target", "user µs/answer", "kernel µs/answer", "total µs/answer");
        foreach (var (target, stats) in new[] { (Isr, w.Mine), (Nginx, w.Theirs) })
        {
            table.Add(
                Name(target), Format.Fixed(stats.UserUsPerAnswer, 2), Format.Fixed(stats.KernelUsPerAnswer, 2),
                Format.Fixed(stats.UserUsPerAnswer + stats.KernelUsPerAnswer, 2));
        }

        table.WriteTo(text);
        var user = w.Mine.UserUsPerAnswer - w.Theirs.UserUsPerAnswer;
        var kernel = w.Mine.KernelUsPerAnswer - w.Theirs.KernelUsPerAnswer;
        text.AppendLine($"Per answer IsrProxy spends {Signed(user)} µs of user time and {Signed(kernel)} µs of kernel time against nginx.");
        var inProcess = allocations.Rows.FirstOrDefault(r => r.BodyBytes == 20 * 1024);
        if (inProcess.BodyBytes > 0)
        {
            text.AppendLine("The load generator sends plain GETs, which IsrProxy answers at the connection (`Isr:Proxy:ConnectionHits`), before");
            text.AppendLine("Kestrel's HTTP/1.1 handler and ASP.NET Core's pipeline. Hits the pipeline answers (any other request shape) cost more:");
            text.AppendLine($"the pipeline alone, in process and with no socket, takes {Format.Fixed(inProcess.MeanNs / 1000, 2)} µs per 20 KB hit (HitPathBenchmarks, below),");
            text.AppendLine("and Kestrel's connection loop, HTTP/1.1 parsing and ASP.NET Core's hosting layer come on top.");
        }

        text.AppendLine("`bench/README.md` (What limits the HIT rate) explains both parts and what was tried.").AppendLine();
        TailParagraph(text);
        RedisParagraph(text);
    }

    /// <summary>
    /// Where the Redis store + L1 is furthest behind the memory store: both rates, the CPU each spent per answer, and
    /// every round of the two in turn, which tells a slower store (every round behind) from slower windows.
    /// </summary>
    private void RedisParagraph(StringBuilder text)
    {
        var w = results.Values("hit", "conns", ("phase", Identity))
            .Select(conns => (Conns: conns, Worst: WorstRatio(Identity, conns, IsrRedis, Isr, s => s.Rps, lowest: true)))
            .Where(c => !double.IsNaN(c.Worst.Ratio))
            .OrderBy(c => c.Worst.Ratio)
            .FirstOrDefault();
        if (w.Conns is null)
        {
            return;
        }

        var redis = Hit(Identity, w.Worst.Set, w.Conns, IsrRedis)!;
        var memory = Hit(Identity, w.Worst.Set, w.Conns, Isr)!;
        var rounds = results.Of("hit", ("phase", Identity), ("set", w.Worst.Set), ("conns", w.Conns)).ToList();
        var pairs = rounds.Where(r => r.Is("target", IsrRedis))
            .Select(r => (Redis: r.Number("rps"), Memory: rounds.FirstOrDefault(m => m.Is("target", Isr) && m.Is("round", r["round"]))?.Number("rps") ?? double.NaN))
            .Select(p => $"{Format.Whole(p.Redis)} vs {Format.Whole(p.Memory)}");
        text.AppendLine($"The Redis store + L1 is furthest behind the memory store on {Format.PageSet(w.Worst.Set)} pages at {w.Conns} connections:");
        text.AppendLine($"{Format.Ratio(w.Worst.Ratio)} ({Format.Whole(redis.Rps)} vs {Format.Whole(memory.Rps)} req/s), at {Format.Fixed(redis.UserUsPerAnswer + redis.KernelUsPerAnswer, 2)} vs {Format.Fixed(memory.UserUsPerAnswer + memory.KernelUsPerAnswer, 2)} µs of CPU per answer.");
        text.AppendLine($"Round by round: {string.Join("; ", pairs)} req/s. Both answer these hits from process memory (the Redis store");
        text.AppendLine("from its L1, without reading Redis): a gap in every round would be the store's, a gap in some rounds only comes");
        text.AppendLine("from the machine (`bench/README.md`, What limits the HIT rate).").AppendLine();
    }

    /// <summary>
    /// Where IsrProxy's HIT p99 is highest against nginx's: the two p99s and how busy the load generator's one core
    /// was during each target's windows. A load generator near a full core queues requests itself, and that wait is
    /// part of the latencies it reports.
    /// </summary>
    private void TailParagraph(StringBuilder text)
    {
        var w = results.Values("hit", "phase")
            .SelectMany(phase => results.Values("hit", "conns", ("phase", phase))
                .Select(conns => (Phase: phase, Conns: conns, Worst: WorstRatio(phase, conns, Isr, Nginx, s => s.P99, lowest: false))))
            .Where(c => !double.IsNaN(c.Worst.Ratio))
            .OrderByDescending(c => c.Worst.Ratio)
            .Select(c => (c.Phase, c.Worst.Set, c.Conns, c.Worst.Ratio, Mine: Hit(c.Phase, c.Worst.Set, c.Conns, Isr)!, Theirs: Hit(c.Phase, c.Worst.Set, c.Conns, Nginx)!))
            .FirstOrDefault();
        if (w.Mine is null || double.IsNaN(w.Mine.LoadBusy) || double.IsNaN(w.Theirs.LoadBusy))
        {
            return;
        }

        var clients = w.Phase == Browser ? "browser-like clients" : "identity clients";
        text.AppendLine($"IsrProxy's highest HIT p99 against nginx's is on {Format.PageSet(w.Set)} pages at {w.Conns} connections, {clients}:");
        text.AppendLine($"{Format.Ratio(w.Ratio)} ({Format.Fixed(w.Mine.P99, 2)} vs {Format.Fixed(w.Theirs.P99, 2)} ms, at {Format.Whole(w.Mine.Rps)} vs {Format.Whole(w.Theirs.Rps)} req/s). The load generator's core");
        text.AppendLine($"was {Format.Percent(w.Mine.LoadBusy)} busy while it measured IsrProxy and {Format.Percent(w.Theirs.LoadBusy)} while it measured nginx; a load generator near a full");
        text.AppendLine("core queues requests itself, and that wait is part of the latencies it reports. Both p99s are from the same");
        text.AppendLine("closed-loop client at the rate each server sustains, not at one common rate.").AppendLine();
        var paced = results.Values("paced", "phase")
            .SelectMany(phase => results.Values("paced", "conns", ("phase", phase))
                .Select(conns => (Phase: phase, Conns: conns, P99: PacedP99AgainstNginx(phase, conns))))
            .Where(p => p.P99.Figures is not null)
            .Select(p => $"{Format.Ratio(p.P99.Ratio)} with {(p.Phase == Browser ? "browser-like" : "identity")} clients at {p.Conns} connections ({p.P99.Figures})")
            .ToList();
        if (paced.Count > 0)
        {
            text.AppendLine($"Offered the same rate (the paced scenario below, on which the p99 targets are judged), IsrProxy's HIT p99 against nginx's is {string.Join("; ", paced)}.");
            text.AppendLine();
        }
    }

    /// <summary>
    /// The paced HIT scenario: requests on a fixed schedule, the same for every target, below what any of them
    /// sustains, so that their latencies are compared at one rate.
    /// </summary>
    private void PacedSection(StringBuilder text)
    {
        text.AppendLine("## HIT latency at one pace").AppendLine();
        var phases = results.Values("paced", "phase");
        if (phases.Count == 0)
        {
            text.AppendLine("Not run.").AppendLine();
            return;
        }

        var first = results.Of("paced").First();
        text.AppendLine("The closed-loop HIT scenarios above measure each target at the rate it sustains, so their latencies come from");
        text.AppendLine($"different rates. Here {string.Join(" and ", results.Values("paced", "conns"))} connections on {Format.PageSet(first["set"])} pages carry {Format.Whole(first.Number("rate"))} requests a second on a");
        text.AppendLine("fixed schedule (each request waits for its slot, and the wait is not part of the latency): every target is");
        text.AppendLine("offered the same rate, and the load generator is far from a full core. Medians over the rounds, as above. The");
        text.AppendLine("HIT p99 targets are judged here.").AppendLine();
        var table = new MarkdownTable("clients", "conns", "target", "req/s", "p50 ms", "p99 ms", "p99.9 ms", "origin req.", "errors", "load generator core busy", "p99 vs nginx")
        {
            TextColumns = 3,
        };
        foreach (var phase in phases)
        {
            foreach (var conns in results.Values("paced", "conns", ("phase", phase)))
            {
                var nginx = Paced(phase, conns, Nginx);
                foreach (var target in TargetsOf("paced", ("phase", phase), ("conns", conns)))
                {
                    var s = Paced(phase, conns, target)!;
                    table.Add(
                        phase == Browser ? "browser-like" : "identity", conns, Name(target), Format.Whole(s.Rps), Format.Ms(s.P50), Format.Ms(s.P99),
                        Format.Ms(s.P999), Format.Whole(s.OriginRequests), Format.Whole(s.Errors), Format.Percent(s.LoadBusy),
                        Format.Ratio(s.P99 / (nginx?.P99 ?? double.NaN)));
                }
            }
        }

        table.WriteTo(text);
    }

    private static string Signed(double value) => (value >= 0 ? "+" : "−") + Format.Fixed(Math.Abs(value), 2);

    private void StaleSection(StringBuilder text)
    {
        text.AppendLine("## STALE: the first request after expiry (200 ms origin)").AppendLine();
        text.AppendLine("Pages fresh for 1 s are filled, left at least 2.5 s to expire, then the first request to each is timed, one after");
        text.AppendLine("another, target after target.");
        text.AppendLine("A cache serving stale while it revalidates in the background answers at HIT speed; one that waits for the");
        text.AppendLine("origin takes its 200 ms. HIT p99 is the same target's at one offered rate (the paced scenario, identity clients,");
        text.AppendLine("lowest concurrency; closed loop on 20 KB pages when that did not run).").AppendLine();
        var table = new MarkdownTable("target", "rounds", "requests", "p50 ms", "p99 ms", "max ms", "answers (cache header)", "HIT p99 ms", "p99 vs HIT p99");
        foreach (var target in TargetsOf("stale"))
        {
            var rounds = results.Of("stale", ("target", target)).ToList();
            var (p99, max, hitP99, _) = StaleAgainstHit(target);
            table.Add(
                Name(target), rounds.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Format.Whole(rounds.Sum(r => r.Number("keys"))), Format.Ms(Median("stale", target, "p50_ms")), Format.Ms(p99),
                Format.Ms(max), string.Join(" ", rounds.Select(r => r["classes"])), Format.Ms(hitP99), Format.Ratio(p99 / hitP99));
        }

        WriteOrNotRun(text, table);
    }

    private void CollapseSection(StringBuilder text)
    {
        text.AppendLine("## 200 concurrent requests for one uncached path (200 ms origin)").AppendLine();
        text.AppendLine("Each round opens 200 connections, then sends one request on each at the same instant for a path never");
        text.AppendLine("requested before, and asks the origin how many requests for it reached it.").AppendLine();
        var table = new MarkdownTable("target", "origin requests per round", "p50 ms", "p99 ms", "max ms", "errors");
        foreach (var target in TargetsOf("collapse"))
        {
            var rounds = results.Of("collapse", ("target", target)).ToList();
            table.Add(
                Name(target), string.Join(", ", rounds.Select(r => Format.Whole(r.Number("origin_requests")))),
                Format.Ms(Median("collapse", target, "p50_ms")), Format.Ms(Median("collapse", target, "p99_ms")),
                Format.Ms(rounds.Max(r => r.Number("max_ms"))), Format.Whole(rounds.Sum(r => r.Number("errors"))));
        }

        WriteOrNotRun(text, table);
    }

    private void MissSection(StringBuilder text)
    {
        text.AppendLine("## MISS overhead against the origin direct").AppendLine();
        text.AppendLine("One connection requests 1 KB pages, each path new (every request a miss), through each target and straight");
        text.AppendLine("to the origin; the overhead is the target's p50 minus the origin's.").AppendLine();
        var table = new MarkdownTable("target", "requests", "req/s", "p50 ms", "p99 ms", "p99.9 ms", "p50 overhead ms");
        var origin = Median("miss", Origin, "p50_ms");
        foreach (var target in TargetsOf("miss"))
        {
            var p50 = Median("miss", target, "p50_ms");
            table.Add(
                Name(target), Format.Whole(results.Of("miss", ("target", target)).Sum(r => r.Number("requests"))),
                Format.Whole(Median("miss", target, "rps")), Format.Fixed(p50, 3), Format.Fixed(Median("miss", target, "p99_ms"), 3),
                Format.Fixed(Median("miss", target, "p999_ms"), 3), target == Origin ? "—" : Format.Fixed(p50 - origin, 3));
        }

        WriteOrNotRun(text, table);
    }

    private void PurgeSection(StringBuilder text)
    {
        text.AppendLine("## Tag purge").AppendLine();
        text.AppendLine("`POST /_revalidate/tag/{tag}` (mode stale) on IsrProxy holding every page of the identity run, timed one");
        text.AppendLine("after another and taking the tags in turn: a tag carried by one page against the tag `bench`, carried by all of");
        text.AppendLine("them.").AppendLine();
        var table = new MarkdownTable("tag", "entries", "purges", "p50 ms", "p99 ms", "p50 vs one entry");
        var one = Median("purge", Isr, "p50_ms", ("entries", "1"));
        foreach (var r in results.Of("purge", ("target", Isr)))
        {
            table.Add(r["tag"], Format.Whole(r.Number("entries")), Format.Whole(r.Number("count")), Format.Fixed(r.Number("p50_ms"), 3),
                Format.Fixed(r.Number("p99_ms"), 3), Format.Ratio(r.Number("p50_ms") / one));
        }

        WriteOrNotRun(text, table);
    }

    private void MemorySection(StringBuilder text)
    {
        text.AppendLine("## Memory per cached entry").AppendLine();
        text.AppendLine("Resident memory (VmRSS of the server's processes; Redis's own `used_memory`) before and after loading");
        text.AppendLine("the 20 KB pages, divided by their number; the overhead is what each entry costs beyond its 20,480-byte body.");
        text.AppendLine("nginx keeps bodies in files (the page cache, not its RSS): its row is the keys zone and worker memory, and");
        text.AppendLine("its disk use is given per entry. IsrProxy's figure includes the .NET GC's headroom at that moment.").AppendLine();
        var table = new MarkdownTable("target", "entries", "before MB", "after MB", "per entry bytes", "overhead per entry bytes", "disk per entry bytes");
        foreach (var r in results.Of("memory"))
        {
            var entries = r.Number("entries");
            var perEntry = (r.Number("after_kb") - r.Number("before_kb")) * 1024 / entries;
            var bodyInMemory = !r.Is("bodies", "disk");
            table.Add(
                Name(r["target"]) + (r.Is("what", "redis") ? " — redis-server" : ""), Format.Whole(entries),
                Format.Whole(r.Number("before_kb") / 1024), Format.Whole(r.Number("after_kb") / 1024), Format.Whole(perEntry),
                bodyInMemory ? Format.Whole(perEntry - r.Number("body_bytes")) : "— (bodies on disk)",
                double.IsNaN(r.Number("disk_kb")) ? "—" : Format.Whole(r.Number("disk_kb") * 1024 / entries));
        }

        WriteOrNotRun(text, table);
    }

    private void AllocationSection(StringBuilder text)
    {
        text.AppendLine("## HIT path allocations (BenchmarkDotNet)").AppendLine();
        text.AppendLine("`HitPathBenchmarks` runs IsrProxy's whole pipeline in process against a filled store, with `[MemoryDiagnoser]`;");
        text.AppendLine("the full report is in `bench/out/bdn/`.").AppendLine();
        var table = new MarkdownTable("body", "mean µs", "allocated per request B");
        foreach (var (body, mean, allocated) in allocations.Rows)
        {
            table.Add($"{body / 1024} KB", Format.Fixed(mean / 1000, 2), Format.Whole(allocated));
        }

        WriteOrNotRun(text, table);
    }

    private static void WriteOrNotRun(StringBuilder text, MarkdownTable table)
    {
        if (table.Count == 0)
        {
            text.AppendLine("Not run.").AppendLine();
            return;
        }

        table.WriteTo(text);
    }
}
