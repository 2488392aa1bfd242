using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace OAuthClient;

/// <summary>
/// A private key the client signs with, its algorithm, its public JWK and that JWK's thumbprint (RFC 7638).
/// Built from a JWK, a <see cref="SecurityKey"/> or a certificate; problems name the setting, never the key.
/// </summary>
internal sealed class SigningKey
{
    public const string RS256 = SecurityAlgorithms.RsaSha256;
    public const string PS256 = SecurityAlgorithms.RsaSsaPssSha256;
    public const string ES256 = SecurityAlgorithms.EcdsaSha256;

    private const int MinRsaKeySize = 2048;

    private SigningKey(SigningCredentials credentials, IReadOnlyDictionary<string, object> publicJwk)
    {
        Credentials = credentials;
        PublicJwk = publicJwk;
        Thumbprint = ComputeThumbprint(publicJwk);
    }

    /// <summary>Gets the key and algorithm to sign with.</summary>
    public SigningCredentials Credentials { get; }

    /// <summary>Gets the signing algorithm: RS256, PS256 or ES256.</summary>
    public string Algorithm => Credentials.Algorithm;

    /// <summary>Gets the public key as a JWK with only its required members, for a DPoP proof's <c>jwk</c> header.</summary>
    public IReadOnlyDictionary<string, object> PublicJwk { get; }

    /// <summary>Gets the base64url SHA-256 JWK thumbprint of the public key (RFC 7638).</summary>
    public string Thumbprint { get; }

    /// <summary>Makes a new P-256 key for ES256, held only in memory.</summary>
    public static SigningKey CreateEphemeral() =>
        FromECDsa(ECDsa.Create(ECCurve.NamedCurves.nistP256), ES256, keyId: null, withKeyId: false, "(generated)", out _)!;

    /// <summary>Builds the key from whichever of <paramref name="jwk"/>, <paramref name="key"/> and <paramref name="certificate"/> is set.</summary>
    /// <param name="jwk">The private key as a JSON Web Key, from the bound options (<c>{setting}.Jwk</c>).</param>
    /// <param name="key">The private key in code, from <see cref="ClientKeys"/> (<c>ClientKeys.{setting}Key</c>).</param>
    /// <param name="certificate">A certificate with its private key, from <see cref="ClientKeys"/> (<c>ClientKeys.{setting}Certificate</c>).</param>
    /// <param name="algorithm">RS256, PS256 or ES256; inferred from the key when <see langword="null"/>.</param>
    /// <param name="setting">The name of the settings in problems, such as <c>ClientAssertion</c>.</param>
    /// <param name="withKeyId">Whether the key's <c>kid</c> (or its thumbprint) goes into the JWT header; DPoP proofs carry no <c>kid</c>.</param>
    /// <param name="problem">Why no key could be built: names the setting, never a key value.</param>
    /// <returns>The key, or <see langword="null"/> with <paramref name="problem"/> set.</returns>
    public static SigningKey? TryCreate(
        string? jwk, SecurityKey? key, X509Certificate2? certificate, string? algorithm, string setting, bool withKeyId, out string? problem)
    {
        var sources = (string.IsNullOrWhiteSpace(jwk) ? 0 : 1) + (key is null ? 0 : 1) + (certificate is null ? 0 : 1);
        if (sources != 1)
        {
            var choices = $"{setting}.Jwk, ClientKeys.{setting}Key" + (setting == "Dpop" ? string.Empty : $", ClientKeys.{setting}Certificate");
            // Only the client assertion can lack a key (DPoP generates one); a client bound from configuration learns here
            // that a key object, certificate or factory is set in code.
            problem = sources == 0
                ? $"{setting} needs a key: set {setting}.Jwk, or in code with ConfigureClientKeys one of ClientKeys.{setting}Key, " +
                    $"ClientKeys.{setting}Certificate and ClientKeys.{setting}Factory."
                : $"{setting}: set only one of {choices}.";
            return null;
        }

        if (algorithm is not null && algorithm is not (RS256 or PS256 or ES256))
        {
            problem = $"{setting}.Algorithm must be RS256, PS256 or ES256 ('{algorithm}' is not supported).";
            return null;
        }

        try
        {
            if (certificate is not null)
            {
                return FromCertificate(certificate, algorithm, setting, withKeyId, out problem);
            }

            if (key is JsonWebKey jsonWebKey)
            {
                return FromJwk(jsonWebKey, algorithm, setting, withKeyId, out problem);
            }

            if (key is not null)
            {
                return FromSecurityKey(key, algorithm, setting, withKeyId, out problem);
            }

            JsonWebKey parsed;
            try
            {
                parsed = new JsonWebKey(jwk);
            }
            catch (ArgumentException)
            {
                // The parser's message may quote the JSON, and so the private key: it is not passed on.
                problem = $"{setting}.Jwk is not a JSON Web Key (RFC 7517).";
                return null;
            }

            return FromJwk(parsed, algorithm, setting, withKeyId, out problem);
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            // A FormatException (a parameter that is not base64url) may quote the parameter, a private key part: not passed on.
            problem = $"{setting}: the key cannot be used for signing (invalid or incomplete key parameters).";
            return null;
        }
    }

    private static SigningKey? FromJwk(JsonWebKey jwk, string? algorithm, string setting, bool withKeyId, out string? problem)
    {
        var keyId = withKeyId ? NullIfEmpty(jwk.Kid) : null;
        switch (jwk.Kty)
        {
            case JsonWebAlgorithmsKeyTypes.RSA:
                if (string.IsNullOrEmpty(jwk.D) || string.IsNullOrEmpty(jwk.P) || string.IsNullOrEmpty(jwk.Q)
                    || string.IsNullOrEmpty(jwk.DP) || string.IsNullOrEmpty(jwk.DQ) || string.IsNullOrEmpty(jwk.QI))
                {
                    problem = $"{setting}.Jwk holds no RSA private key (d, p, q, dp, dq and qi are required).";
                    return null;
                }

                var rsa = RSA.Create();
                rsa.ImportParameters(new RSAParameters
                {
                    Modulus = Decode(jwk.N), Exponent = Decode(jwk.E), D = Decode(jwk.D), P = Decode(jwk.P), Q = Decode(jwk.Q),
                    DP = Decode(jwk.DP), DQ = Decode(jwk.DQ), InverseQ = Decode(jwk.QI),
                });
                return FromRsa(rsa, algorithm, keyId, withKeyId, setting, out problem);

            case JsonWebAlgorithmsKeyTypes.EllipticCurve:
                if (!string.Equals(jwk.Crv, JsonWebKeyECTypes.P256, StringComparison.Ordinal))
                {
                    problem = $"{setting}.Jwk must be an EC key on P-256 (ES256).";
                    return null;
                }

                if (string.IsNullOrEmpty(jwk.D))
                {
                    problem = $"{setting}.Jwk holds no EC private key (d is required).";
                    return null;
                }

                var ecdsa = ECDsa.Create(new ECParameters
                {
                    Curve = ECCurve.NamedCurves.nistP256,
                    Q = new ECPoint { X = Decode(jwk.X), Y = Decode(jwk.Y) },
                    D = Decode(jwk.D),
                });
                return FromECDsa(ecdsa, algorithm ?? ES256, keyId, withKeyId, setting, out problem);

            default:
                problem = $"{setting}.Jwk must be an RSA or EC key (kty RSA or EC).";
                return null;
        }
    }

    private static SigningKey? FromSecurityKey(SecurityKey key, string? algorithm, string setting, bool withKeyId, out string? problem)
    {
        if (key is AsymmetricSecurityKey { PrivateKeyStatus: PrivateKeyStatus.DoesNotExist })
        {
            problem = $"ClientKeys.{setting}Key holds no private key.";
            return null;
        }

        var keyId = withKeyId ? NullIfEmpty(key.KeyId) : null;
        switch (key)
        {
            case RsaSecurityKey rsaKey:
                var rsa = rsaKey.Rsa ?? RSA.Create(rsaKey.Parameters);
                return FromRsa(rsa, algorithm, keyId, withKeyId, setting, out problem);
            case ECDsaSecurityKey ecKey:
                return FromECDsa(ecKey.ECDsa, algorithm ?? ES256, keyId, withKeyId, setting, out problem);
            case X509SecurityKey x509Key:
                return FromCertificate(x509Key.Certificate, algorithm, setting, withKeyId, out problem);
            default:
                problem = $"ClientKeys.{setting}Key must be an RsaSecurityKey, ECDsaSecurityKey, X509SecurityKey or JsonWebKey.";
                return null;
        }
    }

    private static SigningKey? FromCertificate(X509Certificate2 certificate, string? algorithm, string setting, bool withKeyId, out string? problem)
    {
        if (!certificate.HasPrivateKey)
        {
            problem = $"ClientKeys.{setting}Certificate has no private key.";
            return null;
        }

        // The certificate's own key object keeps the usual kid (its thumbprint) and adds the x5t header.
        if (certificate.GetRSAPrivateKey() is { } rsa)
        {
            algorithm ??= RS256;
            if (!CheckRsa(rsa, algorithm, setting, out problem))
            {
                return null;
            }

            var credentials = withKeyId ? new X509SigningCredentials(certificate, algorithm) : new SigningCredentials(new RsaSecurityKey(rsa), algorithm);
            return new SigningKey(credentials, RsaPublicJwk(rsa));
        }

        if (certificate.GetECDsaPrivateKey() is { } ecdsa)
        {
            algorithm ??= ES256;
            if (!CheckECDsa(ecdsa, algorithm, setting, out problem))
            {
                return null;
            }

            var credentials = withKeyId ? new X509SigningCredentials(certificate, algorithm) : new SigningCredentials(new ECDsaSecurityKey(ecdsa), algorithm);
            return new SigningKey(credentials, EcPublicJwk(ecdsa));
        }

        problem = $"ClientKeys.{setting}Certificate must hold an RSA or EC (P-256) private key.";
        return null;
    }

    private static SigningKey? FromRsa(RSA rsa, string? algorithm, string? keyId, bool withKeyId, string setting, out string? problem)
    {
        algorithm ??= RS256;
        if (!CheckRsa(rsa, algorithm, setting, out problem))
        {
            return null;
        }

        var jwk = RsaPublicJwk(rsa);
        return new SigningKey(new SigningCredentials(new RsaSecurityKey(rsa) { KeyId = KeyIdFor(jwk, keyId, withKeyId) }, algorithm), jwk);
    }

    private static SigningKey? FromECDsa(ECDsa ecdsa, string algorithm, string? keyId, bool withKeyId, string setting, out string? problem)
    {
        if (!CheckECDsa(ecdsa, algorithm, setting, out problem))
        {
            return null;
        }

        var jwk = EcPublicJwk(ecdsa);
        return new SigningKey(new SigningCredentials(new ECDsaSecurityKey(ecdsa) { KeyId = KeyIdFor(jwk, keyId, withKeyId) }, algorithm), jwk);
    }

    // A key without a kid of its own is named by its JWK thumbprint, which the server can compute from the registered key.
    private static string? KeyIdFor(Dictionary<string, object> jwk, string? keyId, bool withKeyId) =>
        withKeyId ? keyId ?? ComputeThumbprint(jwk) : null;

    private static bool CheckRsa(RSA rsa, string algorithm, string setting, out string? problem)
    {
        problem = algorithm is RS256 or PS256 ? null : $"{setting}.Algorithm {algorithm} does not fit an RSA key: use RS256 or PS256.";
        if (problem is null && rsa.KeySize < MinRsaKeySize)
        {
            problem = $"{setting}: RSA keys must have at least {MinRsaKeySize} bits.";
        }

        return problem is null;
    }

    private static bool CheckECDsa(ECDsa ecdsa, string algorithm, string setting, out string? problem)
    {
        problem = algorithm == ES256 ? null : $"{setting}.Algorithm {algorithm} does not fit an EC key: use ES256.";
        if (problem is null && ecdsa.KeySize != 256)
        {
            problem = $"{setting}: EC keys must be on the P-256 curve (ES256).";
        }

        return problem is null;
    }

    private static Dictionary<string, object> RsaPublicJwk(RSA rsa)
    {
        var p = rsa.ExportParameters(includePrivateParameters: false);
        return new(StringComparer.Ordinal)
        {
            ["kty"] = JsonWebAlgorithmsKeyTypes.RSA,
            ["n"] = Base64UrlEncoder.Encode(p.Modulus),
            ["e"] = Base64UrlEncoder.Encode(p.Exponent),
        };
    }

    private static Dictionary<string, object> EcPublicJwk(ECDsa ecdsa)
    {
        var p = ecdsa.ExportParameters(includePrivateParameters: false);
        return new(StringComparer.Ordinal)
        {
            ["kty"] = JsonWebAlgorithmsKeyTypes.EllipticCurve,
            ["crv"] = JsonWebKeyECTypes.P256,
            ["x"] = Base64UrlEncoder.Encode(p.Q.X),
            ["y"] = Base64UrlEncoder.Encode(p.Q.Y),
        };
    }

    // RFC 7638 §3.2: the required members only, in lexicographic order, no whitespace.
    private static string ComputeThumbprint(IReadOnlyDictionary<string, object> jwk)
    {
        var members = jwk.Keys.Order(StringComparer.Ordinal).Select(name => $"\"{name}\":\"{jwk[name]}\"");
        var canonical = "{" + string.Join(',', members) + "}";
        return Base64UrlEncoder.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    private static byte[] Decode(string? value) => Base64UrlEncoder.DecodeBytes(value ?? "");

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
