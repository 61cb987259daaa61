using System.Globalization;
using Microsoft.Extensions.Options;

namespace SampleOrigin;

/// <summary>
/// The sample site's pages. Each says when it was rendered and which render it is, and sends the headers a cache in
/// front reads: <c>Cache-Tag</c> for purges by tag and, where the page decides its own lifetime,
/// <c>Cache-Control: s-maxage</c>.
/// </summary>
internal static class SamplePages
{
    public const string CacheTag = "Cache-Tag";

    private const int ProductStaleSeconds = 86_400;
    private const int DefaultSlowMs = 2_000;
    private const int MaxSlugLength = 64;
    private const string Html = "text/html; charset=utf-8";

    public static IEndpointRouteBuilder MapSamplePages(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", Index);
        endpoints.MapGet("/products/{id:int:min(1)}", Product);
        endpoints.MapGet("/blog/{slug}", BlogPost);
        endpoints.MapGet("/slow", SlowAsync);
        endpoints.MapGet("/flaky", Flaky);
        endpoints.MapGet("/api/now", Now);
        endpoints.MapGet("/_sample/fail", (HttpContext context, FailureSwitch failure) => FailureState(context, failure));
        endpoints.MapPost("/_sample/fail", SetFailure);
        return endpoints;
    }

    private static IResult Index(HttpContext context, TimeProvider time, RenderCounter renders, IOptions<SampleOptions> options)
    {
        var o = options.Value;
        context.Response.Headers[CacheTag] = "index";
        var links = new[]
        {
            ("/products/1", $"a product page: Cache-Tag 'collection, product-1', fresh for {o.ProductSeconds} s (s-maxage)"),
            ("/products/2", "another product, in the same 'collection'"),
            ("/blog/hello-world", "a blog post: Cache-Tag 'blog, post-hello-world'; its lifetime is the proxy's rule"),
            ($"/slow?ms={DefaultSlowMs}", $"takes {DefaultSlowMs} ms to render (?ms= sets it, up to {o.MaxSlowMs})"),
            ("/flaky", $"fresh for {o.FlakySeconds} s; answers 503 while failing is switched on (POST /_sample/fail?on=true)"),
            ("/api/now", "the current time, never cached (Cache-Control: no-store)"),
        };
        return Results.Content(
            PageHtml.Page("IsrProxy sample site", time.GetUtcNow(), renders.Next("/"), PageHtml.Links(links)),
            Html);
    }

    private static IResult Product(int id, HttpContext context, TimeProvider time, RenderCounter renders, IOptions<SampleOptions> options)
    {
        var seconds = options.Value.ProductSeconds;
        var tags = $"collection, product-{id}";
        context.Response.Headers.CacheControl = $"public, max-age=0, s-maxage={seconds}, stale-while-revalidate={ProductStaleSeconds}";
        context.Response.Headers[CacheTag] = tags;
        var price = ((id * 37 % 90) + 9.99m).ToString("0.00", CultureInfo.InvariantCulture);
        return Results.Content(
            PageHtml.Page(
                $"Product {id}",
                time.GetUtcNow(),
                renders.Next(context.Request.Path),
                PageHtml.Paragraphs(
                    $"Price: {price} EUR",
                    $"Cache-Tag: {tags}. Purge this page with /_revalidate/tag/product-{id}, every product with /_revalidate/tag/collection.",
                    $"Fresh for {seconds} s (s-maxage={seconds}); after that a cache serves this render while it fetches the next.")),
            Html);
    }

    private static IResult BlogPost(string slug, HttpContext context, TimeProvider time, RenderCounter renders)
    {
        if (slug.Length > MaxSlugLength || !slug.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            return Results.NotFound();
        }

        context.Response.Headers[CacheTag] = $"blog, post-{slug}";
        return Results.Content(
            PageHtml.Page(
                $"Blog: {slug}",
                time.GetUtcNow(),
                renders.Next(context.Request.Path),
                PageHtml.Paragraphs(
                    $"Cache-Tag: blog, post-{slug}. This page sends no Cache-Control: how long it stays fresh is the proxy's rule for /blog/{{slug}}.")),
            Html);
    }

    private static async Task<IResult> SlowAsync(
        HttpContext context,
        string? ms,
        TimeProvider time,
        RenderCounter renders,
        IOptions<SampleOptions> options,
        CancellationToken ct)
    {
        var asked = DefaultSlowMs;
        if (ms is not null && (!int.TryParse(ms, NumberStyles.None, CultureInfo.InvariantCulture, out asked)))
        {
            return Results.BadRequest(new { message = $"ms: '{ms}' is not a whole number of milliseconds." });
        }

        var waited = Math.Min(asked, options.Value.MaxSlowMs);
        var started = time.GetUtcNow();
        await Task.Delay(TimeSpan.FromMilliseconds(waited), time, ct);
        context.Response.Headers[CacheTag] = "slow";
        return Results.Content(
            PageHtml.Page(
                "A slow page",
                started,
                renders.Next(context.Request.Path + context.Request.QueryString),
                PageHtml.Paragraphs($"This page took {waited} ms to render (asked for {asked} ms; at most {options.Value.MaxSlowMs} ms).")),
            Html);
    }

    private static IResult Flaky(HttpContext context, TimeProvider time, RenderCounter renders, FailureSwitch failure, IOptions<SampleOptions> options)
    {
        if (failure.Failing)
        {
            context.Response.Headers.CacheControl = "no-store";
            return Results.Text("The flaky page is failing. Switch it back with POST /_sample/fail?on=false.\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        var seconds = options.Value.FlakySeconds;
        context.Response.Headers.CacheControl = $"public, max-age=0, s-maxage={seconds}";
        context.Response.Headers[CacheTag] = "flaky";
        return Results.Content(
            PageHtml.Page(
                "A flaky page",
                time.GetUtcNow(),
                renders.Next(context.Request.Path),
                PageHtml.Paragraphs(
                    $"Fresh for {seconds} s. While POST /_sample/fail?on=true is in force this page answers 503, and a cache in front keeps serving its last good render.")),
            Html);
    }

    private static IResult Now(HttpContext context, TimeProvider time)
    {
        context.Response.Headers.CacheControl = "no-store";
        return Results.Json(new { now = time.GetUtcNow() });
    }

    private static IResult SetFailure(HttpContext context, string? on, FailureSwitch failure)
    {
        if (!bool.TryParse(on, out var failing))
        {
            context.Response.Headers.CacheControl = "no-store";
            return Results.BadRequest(new { message = $"on: '{on}' is not true or false." });
        }

        failure.Failing = failing;
        return FailureState(context, failure);
    }

    private static IResult FailureState(HttpContext context, FailureSwitch failure)
    {
        context.Response.Headers.CacheControl = "no-store";
        return Results.Json(new { failing = failure.Failing });
    }
}
