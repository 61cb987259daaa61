using System.Text;
using IsrProxy.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IsrProxy.Tests.Unit.Configuration;

public sealed class IsrOptionsValidatorTests
{
    [Fact]
    public void Validate_MinimalConfiguration_Succeeds()
    {
        Assert.Empty(Validate("""{ "Isr": { "Origin": "http://localhost:3000" } }"""));
    }

    [Fact]
    public void Validate_SpecExample_Succeeds()
    {
        var result = Validate(
            """
            {
              "Isr": {
                "Origin": "http://localhost:3000",
                "Secret": "",
                "Development": false,
                "Store": { "Kind": "Memory", "Redis": "localhost:6379", "KeyPrefix": "isr:", "MemoryMaxBytes": 268435456 },
                "Routes": [
                  { "Match": "/blog/{slug}", "Revalidate": 60, "Tags": ["blog"] },
                  { "Match": "/products/**", "Revalidate": 300, "Tags": ["collection"] },
                  { "Match": "/docs/**", "Revalidate": false, "Fallback": "false", "Prerender": ["/docs/intro"] },
                  { "Match": "/cart/**", "Dynamic": "force-dynamic" },
                  { "Match": "/**", "Revalidate": false }
                ]
              }
            }
            """);

        Assert.Empty(result);
    }

    [Theory]
    [InlineData("http://localhost:3000")]
    [InlineData("https://origin.internal:8443/app/")]
    [InlineData("http://127.0.0.1")]
    public void Validate_GoodOrigin_Succeeds(string origin)
    {
        Assert.Empty(ValidateWith($$"""{ "Origin": "{{origin}}" }"""));
    }

    [Theory]
    [InlineData("localhost:3000")]
    [InlineData("/app")]
    [InlineData("ftp://files.example.com")]
    [InlineData("not a url")]
    public void Validate_BadOrigin_NamesKeyAndValue(string origin)
    {
        var failure = Assert.Single(ValidateWith($$"""{ "Origin": "{{origin}}" }"""));

        Assert.Equal($"Isr:Origin: '{origin}' is not an absolute http or https URL.", failure);
    }

    [Fact]
    public void Validate_OriginWithQuery_IsRejected()
    {
        var failure = Assert.Single(ValidateWith("""{ "Origin": "http://o/?a=1" }"""));

        Assert.Equal("Isr:Origin: 'http://o/?a=1' must not have a query or a fragment.", failure);
    }

    [Fact]
    public void Validate_MissingOrigin_IsRejected()
    {
        var failure = Assert.Single(Validate("""{ "Isr": { } }"""));

        Assert.StartsWith("Isr:Origin: is required", failure);
    }

    [Fact]
    public void Validate_SecretWithWhitespace_IsRejectedWithoutShowingIt()
    {
        var failure = Assert.Single(ValidateWith("""{ "Origin": "http://o", "Secret": "s3cr3t " }"""));

        Assert.StartsWith("Isr:Secret: has leading or trailing whitespace", failure);
        Assert.DoesNotContain("s3cr3t", failure);
    }

    [Theory]
    [InlineData("""{ "Kind": "Mongo" }""", "Isr:Store:Kind: 'Mongo' is not Memory or Redis.")]
    [InlineData("""{ "Kind": "Redis", "Redis": "" }""", "Isr:Store:Redis: is required when Isr:Store:Kind is Redis.")]
    [InlineData("""{ "MemoryMaxBytes": 0 }""", "Isr:Store:MemoryMaxBytes: '0' is not a positive number of bytes.")]
    [InlineData("""{ "MaxEntryBytes": -1 }""", "Isr:Store:MaxEntryBytes: '-1' is not a positive number of bytes.")]
    [InlineData(
        """{ "MemoryMaxBytes": 1000, "MaxEntryBytes": 1001 }""",
        "Isr:Store:MaxEntryBytes: '1001' is larger than Isr:Store:MemoryMaxBytes (1000).")]
    public void Validate_BadStore_NamesKeyAndValue(string store, string message)
    {
        var failure = Assert.Single(ValidateWith($$"""{ "Origin": "http://o", "Store": {{store}} }"""));

        Assert.Equal(message, failure);
    }

    [Theory]
    [InlineData(
        """{ "Kind": "Redis", "Redis": "localhost:6379,sslMode=yes" }""",
        "Isr:Store:Redis: 'localhost:6379,sslMode=yes' is not a valid connection string: Redis connection string: option 'sslMode' is not supported.")]
    [InlineData(
        """{ "Kind": "Redis", "Redis": "localhost:99999" }""",
        "Isr:Store:Redis: 'localhost:99999' is not a valid connection string: Redis connection string: endpoint 'localhost:99999' has port '99999'; expected 1..65535.")]
    [InlineData(
        """{ "Kind": "Redis", "Redis": "password=hunter2,connectTimeout=soon" }""",
        "Isr:Store:Redis: 'password=*****,connectTimeout=soon' is not a valid connection string: Redis connection string: option 'connectTimeout' has value 'soon'; expected an integer from 1 to 2147483647.")]
    [InlineData(
        """{ "Kind": "Redis", "KeyPrefix": "my site:" }""",
        "Isr:Store:KeyPrefix: 'my site:' must be at most 256 characters without spaces or control characters.")]
    [InlineData("""{ "L1MaxBytes": 0 }""", "Isr:Store:L1MaxBytes: '0' is not a positive number of bytes.")]
    [InlineData("""{ "MaxStaleAgeSeconds": 0 }""", "Isr:Store:MaxStaleAgeSeconds: '0' is not between 1 and 315360000.")]
    [InlineData("""{ "TimeoutMilliseconds": 60001 }""", "Isr:Store:TimeoutMilliseconds: '60001' is not between 1 and 60000.")]
    public void Validate_BadRedisStore_NamesKeyAndValue(string store, string message)
    {
        var failure = Assert.Single(ValidateWith($$"""{ "Origin": "http://o", "Store": {{store}} }"""));

        Assert.Equal(message, failure);
    }

    [Fact]
    public void Validate_RedisConnectionStringWithEveryKey_Succeeds()
    {
        var store = """
            { "Kind": "Redis", "KeyPrefix": "site-a:", "L1MaxBytes": 1000, "MaxEntryBytes": 5000, "MaxStaleAgeSeconds": 60, "TimeoutMilliseconds": 250,
              "Redis": "redis.internal:6380,password=p,user=isr,ssl=true,defaultDatabase=2,connectTimeout=2000,syncTimeout=3000,abortConnect=false" }
            """;

        Assert.Empty(ValidateWith($$"""{ "Origin": "http://o", "Store": {{store}} }"""));
    }

    [Fact]
    public void Validate_MemoryStore_IgnoresTheRedisKeys()
    {
        Assert.Empty(ValidateWith("""{ "Origin": "http://o", "Store": { "Kind": "Memory", "Redis": "nonsense:port:x", "KeyPrefix": "a b" } }"""));
    }

    [Theory]
    [InlineData("redis")]
    [InlineData("MEMORY")]
    public void Validate_StoreKindInAnyCase_Succeeds(string kind)
    {
        Assert.Empty(ValidateWith($$"""{ "Origin": "http://o", "Store": { "Kind": "{{kind}}" } }"""));
    }

    [Theory]
    [InlineData("Regeneration", "MaxConcurrency", "0", "'0' is not between 1 and 1024.")]
    [InlineData("Regeneration", "MaxConcurrency", "1025", "'1025' is not between 1 and 1024.")]
    [InlineData("Regeneration", "QueueCapacity", "0", "'0' is not between 1 and 1000000.")]
    [InlineData("Regeneration", "QueueCapacity", "1000001", "'1000001' is not between 1 and 1000000.")]
    [InlineData("Regeneration", "BackoffSeconds", "-1", "'-1' is not a number of seconds from 0 to 2147483647.")]
    [InlineData("Regeneration", "BackoffSeconds", "\"NaN\"", "'NaN' is not a number of seconds from 0 to 2147483647.")]
    [InlineData("Regeneration", "ShutdownTimeoutSeconds", "-0.5", "'-0.5' is not a number of seconds from 0 to 2147483647.")]
    [InlineData("Prerender", "Concurrency", "0", "'0' is not between 1 and 64.")]
    [InlineData("Prerender", "Concurrency", "65", "'65' is not between 1 and 64.")]
    [InlineData("Prerender", "ReadinessTimeoutSeconds", "-1", "'-1' is not a number of seconds from 0 to 2147483647.")]
    [InlineData("Proxy", "DefaultMaxDurationSeconds", "0", "'0' is not a positive number of seconds.")]
    [InlineData("Proxy", "PublicUrl", "\"www.example.com\"", "'www.example.com' is not an absolute http or https URL.")]
    [InlineData("Compression", "BrotliQuality", "12", "'12' is not between 0 and 11.")]
    [InlineData("Compression", "MinBytes", "-1", "'-1' is not between 0 and 2147483647.")]
    [InlineData("TagHeaders", "CacheTag", "\"Cache Tag\"", "'Cache Tag' is not a header name.")]
    public void Validate_OutOfRange_NamesKeyAndValue(string section, string key, string json, string message)
    {
        var result = ValidateWith($$"""{ "Origin": "http://o", "{{section}}": { "{{key}}": {{json}} } }""");

        Assert.Equal($"Isr:{section}:{key}: {message}", Assert.Single(result));
    }

    [Theory]
    [InlineData("Regeneration", "MaxConcurrency", "1")]
    [InlineData("Regeneration", "MaxConcurrency", "1024")]
    [InlineData("Regeneration", "QueueCapacity", "1000000")]
    [InlineData("Regeneration", "BackoffSeconds", "0")]
    [InlineData("Regeneration", "ShutdownTimeoutSeconds", "0")]
    [InlineData("Prerender", "Concurrency", "64")]
    [InlineData("Prerender", "ReadinessTimeoutSeconds", "0")]
    [InlineData("Proxy", "DefaultMaxDurationSeconds", "0.5")]
    public void Validate_RangeLimits_Succeed(string section, string key, string json)
    {
        var result = ValidateWith($$"""{ "Origin": "http://o", "{{section}}": { "{{key}}": {{json}} } }""");

        Assert.Empty(result);
    }

    [Fact]
    public void Validate_BadBypassNames_AreRejected()
    {
        var result = ValidateWith(
            """{ "Origin": "http://o", "Proxy": { "BypassCookies": ["ok", "bad name"], "BypassHeaders": ["x:y"] } }""");

        Assert.Equal(
            [
                "Isr:Proxy:BypassCookies:1: 'bad name' is not a cookie name.",
                "Isr:Proxy:BypassHeaders:0: 'x:y' is not a header name.",
            ],
            result);
    }

    [Fact]
    public void Validate_BadRoute_GivesTheCompilerMessage()
    {
        var result = ValidateWith("""{ "Origin": "http://o", "Routes": [{ "Match": "/a" }, { "Match": "/b" }, { "Match": "/c", "Revalidate": "soon" }] }""");

        Assert.Equal(["Isr:Routes:2:Revalidate: 'soon' is not false, 0 or a number of seconds."], result);
    }

    [Fact]
    public void Validate_ManyProblems_ReportsEveryOne()
    {
        var failures = ValidateWith(
            """
            {
              "Origin": "localhost:3000",
              "Store": { "Kind": "Mongo", "MemoryMaxBytes": 0 },
              "Regeneration": { "MaxConcurrency": 0 },
              "Routes": [{ "Match": "/a", "Revalidat": 1 }, { "Match": "/b", "Dynamic": "x" }]
            }
            """);

        Assert.Equal(6, failures.Count);
        Assert.Contains("Isr:Origin: 'localhost:3000' is not an absolute http or https URL.", failures);
        Assert.Contains("Isr:Store:Kind: 'Mongo' is not Memory or Redis.", failures);
        Assert.Contains("Isr:Store:MemoryMaxBytes: '0' is not a positive number of bytes.", failures);
        Assert.Contains("Isr:Regeneration:MaxConcurrency: '0' is not between 1 and 1024.", failures);
        Assert.Contains(failures, failure => failure.StartsWith("Isr:Routes:0: unknown key 'Revalidat'.", StringComparison.Ordinal));
        Assert.Contains("Isr:Routes:1:Dynamic: 'x' is not auto, force-dynamic or force-static.", failures);
    }

    [Fact]
    public void Registration_InvalidConfiguration_FailsStartupValidationWithMessages()
    {
        using var services = Services("""{ "Isr": { "Origin": "localhost:3000", "Routes": [{ "Match": "blog" }] } }""");

        var ex = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal(
            [
                "Isr:Origin: 'localhost:3000' is not an absolute http or https URL.",
                "Isr:Routes:0:Match: 'blog' is not a valid route pattern: it must start with '/'.",
            ],
            ex.Failures);
    }

    [Fact]
    public void Registration_ValidConfiguration_BindsOptions()
    {
        using var services = Services("""{ "Isr": { "Origin": "http://o", "Regeneration": { "MaxConcurrency": 2 } } }""");

        services.GetRequiredService<IStartupValidator>().Validate();

        Assert.Equal(2, services.GetRequiredService<IOptions<IsrOptions>>().Value.Regeneration.MaxConcurrency);
    }

    private static ServiceProvider Services(string json)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(Configuration(json));
        services.AddOptions<IsrOptions>().BindConfiguration(IsrOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<IsrOptions>, IsrOptionsValidator>();
        return services.BuildServiceProvider();
    }

    private static List<string> ValidateWith(string isrJson) => Validate($$"""{ "Isr": {{isrJson}} }""");

    /// <summary>The failure messages; empty when validation succeeded.</summary>
    private static List<string> Validate(string json)
    {
        var configuration = Configuration(json);
        var options = configuration.GetSection(IsrOptions.Section).Get<IsrOptions>() ?? new IsrOptions();
        var result = new IsrOptionsValidator(configuration).Validate(Options.DefaultName, options);
        Assert.Equal(result.Failures is null, result.Succeeded);
        return result.Failures?.ToList() ?? [];
    }

    private static IConfigurationRoot Configuration(string json) =>
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
}
