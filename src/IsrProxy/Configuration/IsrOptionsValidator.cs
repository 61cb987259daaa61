using System.Globalization;
using IsrProxy.Redis;
using IsrProxy.Rules;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace IsrProxy.Configuration;

/// <summary>
/// Checks the whole <c>Isr</c> section and reports every problem at once, each naming its key and bad value.
/// Route rules go through <see cref="RuleCompiler"/>, the same parser as reload, so both say the same thing.
/// </summary>
internal sealed class IsrOptionsValidator : IValidateOptions<IsrOptions>
{
    private const int MaxKeyPrefixLength = 256;
    private const int MaxStaleAgeLimit = 315_360_000;                 // ten years

    private readonly IConfiguration _configuration;

    public IsrOptionsValidator(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        _configuration = configuration;
    }

    public ValidateOptionsResult Validate(string? name, IsrOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        ValidateOrigin(options.Origin, errors);
        ValidateSecret(options.Secret, errors);
        ValidateStore(options.Store, errors);
        ValidateRegeneration(options.Regeneration, errors);
        ValidatePrerender(options.Prerender, errors);
        ValidateProxy(options.Proxy, errors);
        ValidateCompression(options.Compression, errors);
        ValidateTagHeaders(options.TagHeaders, errors);
        NextJsOptionsValidation.Validate(options.NextJs, errors);
        RuleCompiler.Compile(_configuration.GetSection(Key(nameof(IsrOptions.Routes))), errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateOrigin(string? origin, List<string> errors)
    {
        var key = Key(nameof(IsrOptions.Origin));
        if (string.IsNullOrWhiteSpace(origin))
        {
            errors.Add($"{key}: is required: the absolute http or https URL of the origin, such as 'http://localhost:3000'.");
        }
        else if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(uri.Host))
        {
            errors.Add($"{key}: '{origin}' is not an absolute http or https URL.");
        }
        else if (uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            errors.Add($"{key}: '{origin}' must not have a query or a fragment.");
        }
    }

    private static void ValidateSecret(string? secret, List<string> errors)
    {
        // The value is never repeated: messages end up in logs.
        if (!string.IsNullOrEmpty(secret)
            && (secret.Trim().Length != secret.Length || secret.Any(char.IsControl)))
        {
            errors.Add(
                $"{Key(nameof(IsrOptions.Secret))}: has leading or trailing whitespace or a control character "
                + "(value not shown), so no request could present it.");
        }
    }

    private static void ValidateStore(StoreOptions store, List<string> errors)
    {
        const string section = nameof(IsrOptions.Store);
        var kind = Key(section, nameof(StoreOptions.Kind));
        if (!string.Equals(store.Kind, StoreOptions.MemoryKind, StringComparison.OrdinalIgnoreCase) && !store.IsRedis)
        {
            errors.Add($"{kind}: '{store.Kind}' is not {StoreOptions.MemoryKind} or {StoreOptions.RedisKind}.");
        }

        if (store.IsRedis)
        {
            ValidateRedis(store, errors);
        }

        var memoryMax = Key(section, nameof(StoreOptions.MemoryMaxBytes));
        var entryMax = Key(section, nameof(StoreOptions.MaxEntryBytes));
        if (store.MemoryMaxBytes <= 0)
        {
            errors.Add($"{memoryMax}: '{Format(store.MemoryMaxBytes)}' is not a positive number of bytes.");
        }

        if (store.MaxEntryBytes <= 0)
        {
            errors.Add($"{entryMax}: '{Format(store.MaxEntryBytes)}' is not a positive number of bytes.");
        }
        else if (!store.IsRedis && store.MemoryMaxBytes > 0 && store.MaxEntryBytes > store.MemoryMaxBytes)
        {
            errors.Add(
                $"{entryMax}: '{Format(store.MaxEntryBytes)}' is larger than {memoryMax} "
                + $"({Format(store.MemoryMaxBytes)}).");
        }

        if (store.L1MaxBytes <= 0)
        {
            errors.Add($"{Key(section, nameof(StoreOptions.L1MaxBytes))}: '{Format(store.L1MaxBytes)}' is not a positive number of bytes.");
        }

        Range(Key(section, nameof(StoreOptions.MaxStaleAgeSeconds)), store.MaxStaleAgeSeconds, 1, MaxStaleAgeLimit, errors);
        Range(Key(section, nameof(StoreOptions.TimeoutMilliseconds)), store.TimeoutMilliseconds, 1, 60_000, errors);
    }

    private static void ValidateRedis(StoreOptions store, List<string> errors)
    {
        const string section = nameof(IsrOptions.Store);
        var redis = Key(section, nameof(StoreOptions.Redis));
        if (string.IsNullOrWhiteSpace(store.Redis))
        {
            errors.Add($"{redis}: is required when {Key(section, nameof(StoreOptions.Kind))} is Redis.");
        }
        else
        {
            try
            {
                RedisConnectionOptions.Parse(store.Redis);
            }
            catch (FormatException ex)
            {
                errors.Add($"{redis}: '{MaskPassword(store.Redis)}' is not a valid connection string: {ex.Message}");
            }
        }

        if (store.KeyPrefix.Length > MaxKeyPrefixLength || store.KeyPrefix.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            errors.Add(
                $"{Key(section, nameof(StoreOptions.KeyPrefix))}: '{store.KeyPrefix}' must be at most {MaxKeyPrefixLength} "
                + "characters without spaces or control characters.");
        }
    }

    // A password must not reach the log through an error message: the value is repeated with it masked.
    private static string MaskPassword(string connectionString)
        => string.Join(',', connectionString.Split(',').Select(part =>
            part.TrimStart().StartsWith("password=", StringComparison.OrdinalIgnoreCase) ? "password=*****" : part));

    private static void ValidateRegeneration(RegenerationOptions regeneration, List<string> errors)
    {
        const string section = nameof(IsrOptions.Regeneration);
        Range(Key(section, nameof(RegenerationOptions.MaxConcurrency)), regeneration.MaxConcurrency, 1, 1024, errors);
        Range(Key(section, nameof(RegenerationOptions.QueueCapacity)), regeneration.QueueCapacity, 1, 1_000_000, errors);
        NonNegativeSeconds(Key(section, nameof(RegenerationOptions.BackoffSeconds)), regeneration.BackoffSeconds, errors);
        NonNegativeSeconds(
            Key(section, nameof(RegenerationOptions.ShutdownTimeoutSeconds)),
            regeneration.ShutdownTimeoutSeconds,
            errors);
    }

    private static void ValidatePrerender(PrerenderOptions prerender, List<string> errors)
    {
        const string section = nameof(IsrOptions.Prerender);
        Range(Key(section, nameof(PrerenderOptions.Concurrency)), prerender.Concurrency, 1, 64, errors);
        NonNegativeSeconds(
            Key(section, nameof(PrerenderOptions.ReadinessTimeoutSeconds)),
            prerender.ReadinessTimeoutSeconds,
            errors);
    }

    private static void ValidateProxy(ProxyOptions proxy, List<string> errors)
    {
        const string section = nameof(IsrOptions.Proxy);
        var maxDuration = Key(section, nameof(ProxyOptions.DefaultMaxDurationSeconds));
        if (!Seconds.IsInRange(proxy.DefaultMaxDurationSeconds) || proxy.DefaultMaxDurationSeconds <= 0)
        {
            errors.Add($"{maxDuration}: '{Format(proxy.DefaultMaxDurationSeconds)}' is not a positive number of seconds.");
        }

        if (!Seconds.IsInRange(proxy.HitForPassSeconds) || proxy.HitForPassSeconds < 0)
        {
            errors.Add($"{Key(section, nameof(ProxyOptions.HitForPassSeconds))}: '{Format(proxy.HitForPassSeconds)}' is not a number of seconds (0 turns hit-for-pass off).");
        }

        if (!string.IsNullOrEmpty(proxy.PublicUrl)
            && (!Uri.TryCreate(proxy.PublicUrl, UriKind.Absolute, out var publicUrl) || publicUrl.Scheme is not ("http" or "https")))
        {
            errors.Add($"{Key(section, nameof(ProxyOptions.PublicUrl))}: '{proxy.PublicUrl}' is not an absolute http or https URL.");
        }

        for (var i = 0; i < proxy.BypassCookies.Count; i++)
        {
            if (!HttpToken.IsValid(proxy.BypassCookies[i]))
            {
                errors.Add($"{Key(section, nameof(ProxyOptions.BypassCookies), Format(i))}: '{proxy.BypassCookies[i]}' is not a cookie name.");
            }
        }

        for (var i = 0; i < proxy.BypassHeaders.Count; i++)
        {
            if (!HttpToken.IsValid(proxy.BypassHeaders[i]))
            {
                errors.Add($"{Key(section, nameof(ProxyOptions.BypassHeaders), Format(i))}: '{proxy.BypassHeaders[i]}' is not a header name.");
            }
        }
    }

    private static void ValidateCompression(CompressionOptions compression, List<string> errors)
    {
        const string section = nameof(IsrOptions.Compression);
        Range(Key(section, nameof(CompressionOptions.MinBytes)), compression.MinBytes, 0, int.MaxValue, errors);
        Range(Key(section, nameof(CompressionOptions.BrotliQuality)), compression.BrotliQuality, 0, 11, errors);
    }

    private static void ValidateTagHeaders(TagHeaderOptions tagHeaders, List<string> errors)
    {
        const string section = nameof(IsrOptions.TagHeaders);
        foreach (var (name, value) in new[]
        {
            (nameof(TagHeaderOptions.CacheTag), tagHeaders.CacheTag),
            (nameof(TagHeaderOptions.SurrogateKey), tagHeaders.SurrogateKey),
            (nameof(TagHeaderOptions.CacheGroups), tagHeaders.CacheGroups),
            (nameof(TagHeaderOptions.NextCacheTags), tagHeaders.NextCacheTags),
        })
        {
            if (!string.IsNullOrEmpty(value) && !HttpToken.IsValid(value))
            {
                errors.Add($"{Key(section, name)}: '{value}' is not a header name.");
            }
        }
    }

    private static void Range(string key, int value, int min, int max, List<string> errors)
    {
        if (value < min || value > max)
        {
            errors.Add($"{key}: '{Format(value)}' is not between {Format(min)} and {Format(max)}.");
        }
    }

    private static void NonNegativeSeconds(string key, double value, List<string> errors)
    {
        if (!Seconds.IsInRange(value))
        {
            errors.Add(
                $"{key}: '{Format(value)}' is not a number of seconds from 0 to {Format(Seconds.Max)}.");
        }
    }

    private static string Key(params string[] path) => ConfigurationPath.Combine([IsrOptions.Section, .. path]);

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);
}
