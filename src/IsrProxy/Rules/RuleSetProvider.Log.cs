using IsrProxy.Observability;
using Microsoft.Extensions.Logging;

namespace IsrProxy.Rules;

internal sealed partial class RuleSetProvider
{
    private static partial class Log
    {
        
        

        [LoggerMessage(EventIds.RulesReloaded, LogLevel.Information, "Route rules reloaded ({Count} rules)", EventName = "RulesReloaded")]
        public static partial void RulesReloaded(ILogger logger, int count);

        [LoggerMessage(
            EventIds.RulesReloadRejected,
            LogLevel.Warning,
            "Route rules reload rejected, keeping the previous {Count} rules: {Errors}",
            EventName = "RulesReloadRejected")]
        public static partial void RulesReloadRejected(ILogger logger, int count, string errors);
    }
}
