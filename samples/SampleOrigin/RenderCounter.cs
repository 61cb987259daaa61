using System.Collections.Concurrent;

namespace SampleOrigin;

/// <summary>Counts renders per page, so a page can say which render a visitor is looking at; logs each render.</summary>
internal sealed partial class RenderCounter(ILogger<RenderCounter> logger)
{
    private readonly ConcurrentDictionary<string, int> _renders = new(StringComparer.Ordinal);

    public int Next(string page)
    {
        var render = _renders.AddOrUpdate(page, 1, (_, n) => n + 1);
        Log.Rendering(logger, page, render);
        return render;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Rendering {Page} (render #{Render})", EventName = "Rendering")]
        public static partial void Rendering(ILogger logger, string page, int render);
    }
}
