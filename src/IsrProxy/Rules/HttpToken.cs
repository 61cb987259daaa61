using System.Buffers;

namespace IsrProxy.Rules;

/// <summary>The RFC 9110 <c>token</c> grammar, used by header and cookie names.</summary>
internal static class HttpToken
{
    private static readonly SearchValues<char> TokenChars =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    public static bool IsValid(ReadOnlySpan<char> value) => !value.IsEmpty && !value.ContainsAnyExcept(TokenChars);

    /// <summary>True for a <c>tchar</c>: one character of a token.</summary>
    public static bool IsChar(char c) => TokenChars.Contains(c);
}
