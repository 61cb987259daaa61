using IsrProxy.Caching;
using IsrProxy.Configuration;
using IsrProxy.Rules;
using Microsoft.Extensions.Options;

namespace IsrProxy.Tests.Unit.Caching;

public sealed class RequestClassifierTests
{
    private static readonly RuleSet Rules = new([
        new RouteRule(0, "/dyn/**", dynamic: DynamicMode.ForceDynamic),
        new RouteRule(1, "/zero", revalidate: TimeSpan.Zero),
        new RouteRule(2, "/static", dynamic: DynamicMode.ForceStatic),
        new RouteRule(3, "/**", ignoreCookies: ["_ga*"]),
    ]);

    [Theory]
    [InlineData("GET", "/p", null, null, "None")]
    [InlineData("HEAD", "/p", null, null, "None")]
    [InlineData("POST", "/p", null, null, "Method")]
    [InlineData("OPTIONS", "/p", null, null, "Method")]
    [InlineData("GET", "/dyn/x", null, null, "ForceDynamic")]
    [InlineData("GET", "/zero", null, null, "RevalidateZero")]
    [InlineData("GET", "/p", "Authorization", "Bearer t", "Authorization")]
    [InlineData("GET", "/p", "Cookie", "sid=1", "Cookie")]
    [InlineData("GET", "/p", "Cookie", "_ga=1; _ga_X=2", "None")]
    [InlineData("GET", "/p", "Cookie", "_ga=1;sid=2", "Cookie")]
    [InlineData("GET", "/p", "Cookie", "__prerender_bypass=1", "DraftMode")]
    [InlineData("GET", "/p", "x-prerender-revalidate", "1", "DraftMode")]
    [InlineData("GET", "/p", "Upgrade", "websocket", "Upgrade")]
    [InlineData("GET", "/static", "Cookie", "sid=1", "None")]
    [InlineData("GET", "/static", "Authorization", "Bearer t", "None")]
    [InlineData("GET", "/static", "Cookie", "__next_preview_data=1", "DraftMode")]
    public void Classify(string method, string path, string? header, string? value, string expected)
    {
        var classifier = new RequestClassifier(Options.Create(new IsrOptions { Origin = "http://o" }));
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;
        if (header is not null)
        {
            context.Request.Headers[header] = value;
        }

        Assert.Equal(Enum.Parse<BypassReason>(expected), classifier.Classify(context.Request, Rules).Bypass);
    }

    [Fact]
    public void DevelopmentMode_BypassesEverything()
    {
        var classifier = new RequestClassifier(Options.Create(new IsrOptions { Origin = "http://o", Development = true }));
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Path = "/p";

        Assert.Equal(BypassReason.Development, classifier.Classify(context.Request, Rules).Bypass);
    }

    [Theory]
    [InlineData("/static", "?a=1", "/static")]
    [InlineData("/p", "?b=2&a=1", "/p?b=2&a=1")]
    [InlineData("/p", "", "/p")]
    [InlineData("/a%20b", "", "/a%20b")]
    public void Keys_FollowTheRule(string path, string query, string expectedKey)
    {
        var classifier = new RequestClassifier(Options.Create(new IsrOptions { Origin = "http://o" }));
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Path = PathString.FromUriComponent(path);
        context.Request.QueryString = new QueryString(query);

        var decision = classifier.Classify(context.Request, Rules);

        Assert.Equal(expectedKey, decision.PrimaryKey);
        Assert.Equal(expectedKey, decision.PathAndQuery);
    }
}
