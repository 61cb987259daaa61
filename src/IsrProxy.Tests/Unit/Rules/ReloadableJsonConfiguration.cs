using System.Text;
using Microsoft.Extensions.Configuration;

namespace IsrProxy.Tests.Unit.Rules;

/// <summary>
/// A configuration source whose JSON can be replaced; <see cref="Replace"/> raises the reload token synchronously,
/// as a changed appsettings.json would, so reload handling can be observed without timing.
/// </summary>
internal sealed class ReloadableJsonConfiguration : ConfigurationProvider, IConfigurationSource
{
    public ReloadableJsonConfiguration(string json)
    {
        Data = Parse(json);
    }

    public IConfigurationProvider Build(IConfigurationBuilder builder) => this;

    public void Replace(string json)
    {
        Data = Parse(json);
        OnReload();
    }

    private static Dictionary<string, string?> Parse(string json) =>
        new ConfigurationBuilder()
            .AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json)))
            .Build()
            .AsEnumerable()
            .Where(pair => pair.Value is not null)
            .ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.OrdinalIgnoreCase);
}
