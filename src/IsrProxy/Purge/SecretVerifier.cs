using System.Security.Cryptography;
using System.Text;
using IsrProxy.Caching.Http;
using IsrProxy.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace IsrProxy.Purge;

/// <summary>
/// Checks the shared secret of the purge and admin endpoints, given as <c>Authorization: Bearer</c>, <c>X-Isr-Secret</c>
/// or <c>?secret=</c>. Both sides are hashed first so the comparison takes the same time whatever the length or content.
/// </summary>
internal sealed class SecretVerifier
{
    private readonly byte[]? _secretHash;

    public SecretVerifier(IOptions<IsrOptions> options)
    {
        if (!string.IsNullOrEmpty(options.Value.Secret))
        {
            _secretHash = SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.Secret));
        }
    }

    /// <summary>False when no secret is configured: the endpoints are off.</summary>
    public bool IsEnabled => _secretHash is not null;

    public bool Verify(HttpRequest request)
    {
        if (_secretHash is null)
        {
            return false;
        }

        var matched = false;
        foreach (var candidate in Candidates(request))
        {
            matched |= CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(candidate)), _secretHash);
        }

        return matched;
    }

    private static IEnumerable<string> Candidates(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            yield return authorization["Bearer ".Length..].Trim();
        }

        foreach (var value in request.Headers[IsrHeaders.XIsrSecret])
        {
            if (!string.IsNullOrEmpty(value))
            {
                yield return value;
            }
        }

        foreach (var value in request.Query["secret"])
        {
            if (!string.IsNullOrEmpty(value))
            {
                yield return value;
            }
        }
    }
}
