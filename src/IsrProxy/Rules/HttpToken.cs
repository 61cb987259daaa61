using System.Buffers;

namespace IsrProxy.Rules;

/// <summary>The RFC 9110 <c>token</c> grammar, used by header and cookie names.</summary>
internal static class HttpToken
{
    private static readonly SearchValues<char> TokenChars =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    public static bool IsValid(ReadOnlySpan<char> value) => !value.IsEmpty && !value.ContainsAnyExcept(TokenChars);
}
