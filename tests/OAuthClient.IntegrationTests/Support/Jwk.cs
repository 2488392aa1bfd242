using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace OAuthClient.IntegrationTests.Support;

/// <summary>Writes keys as JSON Web Keys, the way they sit in configuration.</summary>
public static class Jwk
{
    public static string Private(RSA rsa)
    {
        var p = rsa.ExportParameters(true);
        return $$"""{"kty":"RSA","n":"{{E(p.Modulus)}}","e":"{{E(p.Exponent)}}","d":"{{E(p.D)}}","p":"{{E(p.P)}}","q":"{{E(p.Q)}}","dp":"{{E(p.DP)}}","dq":"{{E(p.DQ)}}","qi":"{{E(p.InverseQ)}}"}""";
    }

    private static string E(byte[]? value) => Base64UrlEncoder.Encode(value);
}
