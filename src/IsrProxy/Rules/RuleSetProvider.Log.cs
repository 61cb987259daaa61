using IsrProxy.Observability;
using Microsoft.Extensions.Logging;

namespace IsrProxy.Rules;

internal sealed partial class RuleSetProvider
{
    private static partial class Log
    {
        [LoggerMessage(EventIds.RuleLoaded, LogLevel.Information, "Rule {Index} ({Match}) from {Source}", EventName = "RuleLoaded")]
        public static partial void RuleLoaded(ILogger logger, int index, string match, string source);

        [LoggerMessage(
            EventIds.NoRules,
            LogLevel.Information,
            "No route rules: a path is stored only when the origin's answer gives explicit freshness (s-maxage, max-age, Expires)",
            EventName = "NoRules")]
        public static partial void NoRules(ILogger logger);

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
