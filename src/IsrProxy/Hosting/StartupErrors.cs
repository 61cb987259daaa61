using IsrProxy.Redis;
using Microsoft.Extensions.Options;

namespace IsrProxy.Hosting;

/// <summary>Turns the exceptions a bad configuration raises at startup into the messages to print.</summary>
internal static class StartupErrors
{
    public static IReadOnlyList<string> Describe(Exception exception)
    {
        var messages = new List<string>();
        Collect(exception, messages);
        return messages;
    }

    private static void Collect(Exception exception, List<string> messages)
    {
        switch (exception)
        {
            case OptionsValidationException options:
                messages.AddRange(options.Failures);
                break;
            case RedisConnectionException redis:
                // Only with abortConnect=true in the connection string: by default the proxy starts without Redis.
                messages.Add($"Isr:Store:Redis: {redis.Message} (the connection string sets abortConnect=true, so startup stops).");
                break;
            case InvalidOperationException binding when binding.Message.Contains("configuration value", StringComparison.Ordinal):
                messages.Add(binding.Message);                     // the binder's own message names the key and the value
                break;
            case AggregateException aggregate:
                foreach (var inner in aggregate.InnerExceptions)
                {
                    Collect(inner, messages);
                }

                break;
            case { InnerException: { } inner }:
                Collect(inner, messages);
                break;
        }
    }
}
