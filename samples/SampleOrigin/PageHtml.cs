using System.Globalization;
using System.Net;
using System.Text;

namespace SampleOrigin;

/// <summary>The HTML around every page: a title, the render line, the page's own content and a link home.</summary>
internal static class PageHtml
{
    /// <summary>
    /// One element per line, so <c>curl … | grep 'Rendered at'</c> shows when, and which render, a visitor got.
    /// <paramref name="bodyHtml"/> is trusted markup built with <see cref="Paragraphs"/> or <see cref="Links"/>.
    /// </summary>
    public static string Page(string title, DateTimeOffset renderedAt, int render, string bodyHtml)
    {
        var html = new StringBuilder();
        html.Append("<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>")
            .Append(WebUtility.HtmlEncode(title))
            .Append(" · IsrProxy sample</title></head>\n<body>\n<h1>")
            .Append(WebUtility.HtmlEncode(title))
            .Append("</h1>\n")
            .Append(CultureInfo.InvariantCulture, $"<p class=\"rendered\">Rendered at {renderedAt.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fff}Z (render #{render} of this page)</p>\n")
            .Append(bodyHtml)
            .Append("<p><a href=\"/\">All pages</a></p>\n</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>Plain-text paragraphs, encoded.</summary>
    public static string Paragraphs(params string[] paragraphs)
        => string.Concat(paragraphs.Select(p => "<p>" + WebUtility.HtmlEncode(p) + "</p>\n"));

    /// <summary>A list of links, each with a line of explanation; both encoded.</summary>
    public static string Links(IEnumerable<(string Href, string Text)> links)
    {
        var html = new StringBuilder("<ul>\n");
        foreach (var (href, text) in links)
        {
            html.Append("<li><a href=\"")
                .Append(WebUtility.HtmlEncode(href))
                .Append("\">")
                .Append(WebUtility.HtmlEncode(href))
                .Append("</a>: ")
                .Append(WebUtility.HtmlEncode(text))
                .Append("</li>\n");
        }

        return html.Append("</ul>\n").ToString();
    }
}
