using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace IsrProxy.LoadTool.Tests;

/// <summary>A Kestrel server on 127.0.0.1 and a free port, for the commands that talk to a cache.</summary>
internal static class LoopbackServer
{
    /// <summary>The tests that capture the console run one at a time: it is one for the whole process.</summary>
    public const string ConsoleCollection = "console";

    public static async Task<WebApplication> StartAsync(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        return app;
    }

    public static string Url(WebApplication app) => app.Urls.Single();

    /// <summary>Runs a LoadTool command with the console's output captured: its exit code and what it printed.</summary>
    public static async Task<(int Exit, string Output)> RunAsync(Func<Task<int>> command)
    {
        var output = new StringWriter();
        var console = Console.Out;
        Console.SetOut(output);
        try
        {
            return (await command(), output.ToString());
        }
        finally
        {
            Console.SetOut(console);
        }
    }
}
