using IsrProxy.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace IsrProxy.Rules;

/// <summary>
/// Holds the current <see cref="RuleSet"/> compiled from <c>Isr:Routes</c>, which must come from one configuration
/// source (<see cref="RuleSources"/>). An invalid first load refuses to start; at startup each rule is logged with its
/// source. An invalid reload is logged and the last good rules stay; a reload that changes nothing in the rules (file
/// watchers often signal one save twice) is not logged.
/// </summary>
internal sealed partial class RuleSetProvider : IDisposable
{
    private readonly IConfiguration _configuration;
    private readonly IConfigurationSection _routes;
    private readonly IConfigurationSection _proxy;
    private string _fingerprint;
    private readonly ILogger<RuleSetProvider> _logger;
    private readonly IDisposable _subscription;
    private RuleSet _current;

    public RuleSetProvider(IConfiguration configuration, ILogger<RuleSetProvider> logger)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(logger);
        _routes = configuration.GetSection(ConfigurationPath.Combine(IsrOptions.Section, nameof(IsrOptions.Routes)));
        _proxy = configuration.GetSection(ConfigurationPath.Combine(IsrOptions.Section, nameof(IsrOptions.Proxy)));
        _logger = logger;
        _configuration = configuration;

        var errors = new List<string>();
        var source = RuleSources.Find(configuration, _routes, errors);
        var first = errors.Count == 0 ? Compile(errors) : RuleSet.Empty;   // mixed rules are not worth reading
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(IsrOptions.Section, typeof(IsrOptions), errors);
        }

        _current = first;
        _fingerprint = Fingerprint();
        if (first.Rules.Count == 0)
        {
            Log.NoRules(_logger);
        }

        foreach (var rule in first.Rules)
        {
            Log.RuleLoaded(_logger, rule.Index, rule.Match, source ?? "the configuration");
        }

        _subscription = ChangeToken.OnChange(configuration.GetReloadToken, Reload);
    }

    public RuleSet Current => Volatile.Read(ref _current);

    public void Dispose() => _subscription.Dispose();

    private void Reload()
    {
        var fingerprint = Fingerprint();
        if (fingerprint == Volatile.Read(ref _fingerprint))
        {
            return;
        }

        var errors = new List<string>();
        RuleSources.Find(_configuration, _routes, errors);
        var next = errors.Count == 0 ? Compile(errors) : RuleSet.Empty;
        if (errors.Count > 0)
        {
            Log.RulesReloadRejected(_logger, Current.Rules.Count, string.Join(" ", errors));
            return;
        }

        Volatile.Write(ref _current, next);
        Volatile.Write(ref _fingerprint, fingerprint);
        Log.RulesReloaded(_logger, next.Rules.Count);
    }

    private RuleSet Compile(List<string> errors)
    {
        var rules = RuleCompiler.Compile(_routes, errors);
        return new RuleSet(rules.Rules, RuleCompiler.CompileUnmatched(_proxy, errors));
    }

    // Every key and value under Isr:Routes and Isr:Proxy:IgnoreCookies, in order: equal when a reload changed nothing
    // in the rules.
    private string Fingerprint()
        => string.Join(
            '\n',
            _routes.AsEnumerable().Concat(_proxy.GetSection("IgnoreCookies").AsEnumerable())
                .OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => $"{p.Key}={p.Value}"));
}
