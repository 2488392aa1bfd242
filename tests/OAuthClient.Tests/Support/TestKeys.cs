using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace OAuthClient.Tests.Support;

/// <summary>Keys made per test, and an independent check of the JWTs signed with them.</summary>
public static class TestKeys
{
    public static RSA Rsa() => RSA.Create(2048);

    public static ECDsa EcP256() => ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>Writes a private RSA key as a JWK, the way it sits in configuration.</summary>
    public static string PrivateJwk(RSA rsa, string? kid = "rsa-key-1") => RsaJwk(rsa.ExportParameters(true), kid);

    /// <summary>Writes the RSA key's public half as a JWK.</summary>
    public static string PublicJwk(RSA rsa) => RsaJwk(rsa.ExportParameters(false), kid: null);

    private static string RsaJwk(RSAParameters p, string? kid)
    {
        var members = new List<string> { $"\"kty\":\"RSA\"", $"\"n\":\"{E(p.Modulus)}\"", $"\"e\":\"{E(p.Exponent)}\"" };
        if (p.D is not null)
        {
            members.AddRange([$"\"d\":\"{E(p.D)}\"", $"\"p\":\"{E(p.P)}\"", $"\"q\":\"{E(p.Q)}\"", $"\"dp\":\"{E(p.DP)}\"", $"\"dq\":\"{E(p.DQ)}\"", $"\"qi\":\"{E(p.InverseQ)}\""]);
        }

        if (kid is not null)
        {
            members.Add($"\"kid\":\"{kid}\"");
        }

        return "{" + string.Join(',', members) + "}";
    }

    private static string E(byte[]? value) => Base64UrlEncoder.Encode(value);

    /// <summary>Writes a private EC key as a JWK.</summary>
    public static string PrivateJwk(ECDsa ecdsa, string? kid = "ec-key-1")
    {
        var p = ecdsa.ExportParameters(true);
        var kidMember = kid is null ? "" : $",\"kid\":\"{kid}\"";
        return $$"""{"kty":"EC","crv":"P-256","x":"{{Base64UrlEncoder.Encode(p.Q.X)}}","y":"{{Base64UrlEncoder.Encode(p.Q.Y)}}","d":"{{Base64UrlEncoder.Encode(p.D)}}"{{kidMember}}}""";
    }

    public static X509Certificate2 Certificate(RSA rsa)
    {
        var request = new CertificateRequest("CN=worker", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        return request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
    }

    /// <summary>Checks signature, type and algorithm with Microsoft.IdentityModel, not with the code under test, and returns the token.</summary>
    public static async Task<JsonWebToken> ValidateAsync(string jwt, SecurityKey key, string type, string algorithm)
    {
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(jwt, new TokenValidationParameters
        {
            IssuerSigningKey = key,
            ValidateIssuer = false,
            ValidateAudience = false,
            // The fake clock is in 2026 whatever the real one says: times are checked by the tests against it.
            ValidateLifetime = false,
            RequireExpirationTime = false,
            ValidTypes = [type],
            ValidAlgorithms = [algorithm],
        });
        Assert.True(result.IsValid, result.Exception?.Message);
        return (JsonWebToken)result.SecurityToken;
    }

    /// <summary>Reads the <c>jwk</c> header of a DPoP proof as a key to check its signature with.</summary>
    public static JsonWebKey HeaderJwk(string jwt)
    {
        var token = new JsonWebToken(jwt);
        Assert.True(token.TryGetHeaderValue<System.Text.Json.JsonElement>("jwk", out var jwk));
        return new JsonWebKey(jwk.GetRawText());
    }
}
