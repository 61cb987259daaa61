using System.Text.Json;
using IsrProxy.Purge;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace IsrProxy.NextJs;

/// <summary>
/// The endpoints the Next.js package calls (README "Next.js"): the build's preview mode id,
/// and the tags of pages. Behind the purge secret; 404 unless <c>Isr:NextJs:Enabled</c>. JSON bodies of at most 1 MiB.
/// </summary>
internal static class NextJsEndpoints
{
    public const int MaxBodyBytes = 1024 * 1024;
    public const int MaxPages = 1000;
    public const int MaxTagsPerPage = 128;

    public static IEndpointRouteBuilder MapNextJs(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/_revalidate/next/build", (Delegate)((HttpContext context) => Enabled(context, () => BuildAsync(context))));
        endpoints.MapPost("/_revalidate/next/tags", (Delegate)((HttpContext context) => Enabled(context, () => TagsAsync(context))));
        return endpoints;
    }

    private static Task<IResult> Enabled(HttpContext context, Func<Task<IResult>> handle)
        => context.RequestServices.GetRequiredService<NextJsState>().Enabled
            ? PurgeEndpoints.Guarded(context, handle)
            : Task.FromResult(Results.Json(new { message = "Not found" }, statusCode: StatusCodes.Status404NotFound));

    private static async Task<IResult> BuildAsync(HttpContext context)
    {
        using var body = await ReadAsync(context);
        if (body.Error is { } error)
        {
            return error;
        }

        var root = body.Document!.RootElement;
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("previewModeId", out var id) || id.ValueKind != JsonValueKind.String
            || !Configuration.NextJsOptionsValidation.IsPreviewModeId(id.GetString()!))
        {
            return BadRequest("previewModeId must be the build's preview mode id: letters and digits, at most 256.");
        }

        string? buildId = null;
        if (root.TryGetProperty("buildId", out var build))
        {
            if (build.ValueKind != JsonValueKind.String || build.GetString() is not { Length: > 0 and <= 256 } b || b.Any(char.IsControl))
            {
                return BadRequest("buildId must be a string of 1 to 256 characters.");
            }

            buildId = b;
        }

        context.RequestServices.GetRequiredService<NextJsState>().Learn(buildId, id.GetString()!);
        return Results.Json(new { ok = true });
    }

    private static async Task<IResult> TagsAsync(HttpContext context)
    {
        using var body = await ReadAsync(context);
        if (body.Error is { } error)
        {
            return error;
        }

        var root = body.Document!.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("pages", out var pages) || pages.ValueKind != JsonValueKind.Array)
        {
            return BadRequest("The body must be {\"pages\": [{\"path\": \"/…\", \"tags\": [\"…\"]}]}.");
        }

        if (pages.GetArrayLength() > MaxPages)
        {
            return BadRequest($"At most {MaxPages} pages per call.");
        }

        var parsed = new List<(string Path, List<string> Tags)>();
        var index = 0;
        foreach (var page in pages.EnumerateArray())
        {
            if (!TryReadPage(page, out var path, out var tags, out var problem))
            {
                return BadRequest($"pages[{index}]: {problem}");
            }

            parsed.Add((path, tags));
            index++;
        }

        var registry = context.RequestServices.GetRequiredService<NextTagRegistry>();
        var purges = context.RequestServices.GetRequiredService<PurgeService>();
        foreach (var (path, tags) in parsed)
        {
            registry.Register(path, tags);
            await purges.CatchUpAsync(path, tags, context.RequestAborted);
        }

        return Results.Json(new { ok = true, pages = parsed.Count });
    }

    private static bool TryReadPage(JsonElement page, out string path, out List<string> tags, out string problem)
    {
        path = string.Empty;
        tags = [];
        problem = string.Empty;
        if (page.ValueKind != JsonValueKind.Object
            || !page.TryGetProperty("path", out var p) || p.ValueKind != JsonValueKind.String
            || p.GetString() is not { Length: > 0 } value || value[0] != '/' || value.Length > PurgeRequest.MaxPathBytes || value.Any(char.IsControl))
        {
            problem = "path must be a path starting with '/', at most 2048 characters.";
            return false;
        }

        path = value;
        if (!page.TryGetProperty("tags", out var t) || t.ValueKind != JsonValueKind.Array || t.GetArrayLength() > MaxTagsPerPage)
        {
            problem = $"tags must be an array of at most {MaxTagsPerPage} strings.";
            return false;
        }

        foreach (var tag in t.EnumerateArray())
        {
            if (tag.ValueKind != JsonValueKind.String || tag.GetString() is not { Length: > 0 and <= PurgeRequest.MaxTagBytes } name || name.Any(char.IsControl))
            {
                problem = $"each tag must be a string of 1 to {PurgeRequest.MaxTagBytes} characters.";
                return false;
            }

            tags.Add(name);
        }

        return true;
    }

    private static async Task<Body> ReadAsync(HttpContext context)
    {
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            return new Body(null, TooLarge());
        }

        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return new Body(null, TooLarge());
            }

            buffer.Write(chunk, 0, read);
        }

        try
        {
            return new Body(JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length)), null);
        }
        catch (JsonException)
        {
            return new Body(null, BadRequest("The body is not JSON."));
        }
    }

    private static IResult BadRequest(string message) => Results.Json(new { message }, statusCode: StatusCodes.Status400BadRequest);

    private static IResult TooLarge() => Results.Json(new { message = "The body is larger than 1 MiB." }, statusCode: StatusCodes.Status413PayloadTooLarge);

    private sealed record Body(JsonDocument? Document, IResult? Error) : IDisposable
    {
        public void Dispose() => Document?.Dispose();
    }
}
