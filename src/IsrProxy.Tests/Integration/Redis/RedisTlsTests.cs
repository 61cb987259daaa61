using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IsrProxy.Redis;
using IsrProxy.Tests.Fixtures;
using Microsoft.Extensions.Logging.Abstractions;

namespace IsrProxy.Tests.Integration.Redis;

/// <summary>TLS against redis-server's own --tls-port (the Debian build links OpenSSL), with a certificate made here.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisTlsTests(RedisServerFixture redis) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("isrproxy-tls-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Ssl_WithPinnedCertificateAndSslHost_ConnectsAndValidatesAgainstSslHost()
    {
        using var certificate = CreateCertificate("redis.test");
        await using var server = await StartTlsServerAsync(certificate);
        SslPolicyErrors? seen = null;
        var options = RedisServerFixture.Options(server.ConnectionString, "ssl=true,sslHost=redis.test");
        options.CertificateValidation = (_, presented, _, errors) =>
        {
            seen = errors;
            return presented is not null && presented.GetCertHashString() == certificate.GetCertHashString();
        };

        await using var connection = await RedisConnection.ConnectAsync(options, NullLogger.Instance, TimeProvider.System, CancellationToken.None);
        await connection.SetAsync("tls", "over-tls"u8.ToArray(), null, RedisSetCondition.Always, CancellationToken.None);
        Assert.Equal("over-tls"u8.ToArray(), await connection.GetAsync("tls", CancellationToken.None));
        Assert.NotNull(seen);
        Assert.False(seen.Value.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch));
    }

    [Fact]
    public async Task Ssl_SslHostNotInCertificate_IsReportedAsNameMismatch()
    {
        using var certificate = CreateCertificate("redis.test");
        await using var server = await StartTlsServerAsync(certificate);
        SslPolicyErrors? seen = null;
        var options = RedisServerFixture.Options(server.ConnectionString, "ssl=true,sslHost=other.test");
        options.CertificateValidation = (_, _, _, errors) =>
        {
            seen = errors;
            return false;
        };

        var error = await Assert.ThrowsAsync<RedisConnectionException>(
            () => RedisConnection.ConnectAsync(options, NullLogger.Instance, TimeProvider.System, CancellationToken.None));
        Assert.Contains(server.ConnectionString, error.Message, StringComparison.Ordinal);
        Assert.NotNull(seen);
        Assert.True(seen.Value.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch));
    }

    [Fact]
    public async Task Ssl_UntrustedCertificateWithDefaultValidation_FailsToConnect()
    {
        using var certificate = CreateCertificate("redis.test");
        await using var server = await StartTlsServerAsync(certificate);
        var error = await Assert.ThrowsAsync<RedisConnectionException>(
            () => RedisServerFixture.ConnectAsync(server.ConnectionString, "ssl=true,sslHost=redis.test"));
        Assert.Contains("could not connect", error.Message, StringComparison.Ordinal);
    }

    private async Task<RedisServerProcess> StartTlsServerAsync(X509Certificate2 certificate)
    {
        var certPath = Path.Combine(_directory, "redis.crt");
        var keyPath = Path.Combine(_directory, "redis.key");
        await File.WriteAllTextAsync(certPath, certificate.ExportCertificatePem());
        using (var key = certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("The test certificate has no ECDSA key."))
        {
            await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem());
        }

        return await redis.StartServerAsync(
            RedisServerProcess.FreePort(),
            tls: true,
            "--tls-cert-file", certPath, "--tls-key-file", keyPath, "--tls-ca-cert-file", certPath, "--tls-auth-clients", "no");
    }

    private static X509Certificate2 CreateCertificate(string host)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={host}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(host);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = TimeProvider.System.GetUtcNow();
        return request.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));
    }
}
