using IsrProxy.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace IsrProxy.Rules;

/// <summary>
/// Holds the current <see cref="RuleSet"/> compiled from <c>Isr:Routes</c>. An invalid first load refuses to
/// start; an invalid reload is logged and the last good rules stay.
/// </summary>
internal sealed partial class RuleSetProvider : IDisposable
{
    private readonly IConfigurationSection _routes;
    private readonly ILogger<RuleSetProvider> _logger;
    private readonly IDisposable _subscription;
    private RuleSet _current;

    public RuleSetProvider(IConfiguration configuration, ILogger<RuleSetProvider> logger)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(logger);
        _routes = configuration.GetSection(ConfigurationPath.Combine(IsrOptions.Section, nameof(IsrOptions.Routes)));
        _logger = logger;

        var errors = new List<string>();
        var first = RuleCompiler.Compile(_routes, errors);
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(IsrOptions.Section, typeof(IsrOptions), errors);
        }

        _current = first;
        _subscription = ChangeToken.OnChange(configuration.GetReloadToken, Reload);
    }

    public RuleSet Current => Volatile.Read(ref _current);

    public void Dispose() => _subscription.Dispose();

    private void Reload()
    {
        var errors = new List<string>();
        var next = RuleCompiler.Compile(_routes, errors);
        if (errors.Count > 0)
        {
            Log.RulesReloadRejected(_logger, Current.Rules.Count, string.Join(" ", errors));
            return;
        }

        Volatile.Write(ref _current, next);
        Log.RulesReloaded(_logger, next.Rules.Count);
    }
}
