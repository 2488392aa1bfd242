using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace OAuthClient.Samples;

/// <summary>
/// DPoP (RFC 9449) for the development server, which OpenIddict 7.8 does not implement: checks proofs at the token
/// endpoint and the APIs, binds tokens to the proof key (<c>cnf.jkt</c>) and, when asked, requires a server nonce.
/// A test double of a DPoP server, not a complete one: a single nonce, and a jti replay cache that only grows.
/// </summary>
internal sealed class DevDpop(DevAuthorizationServerOptions options)
{
    public const string HeaderName = "DPoP";
    public const string NonceHeaderName = "DPoP-Nonce";
    public const string UseNonce = "use_dpop_nonce";

    private static readonly TimeSpan Window = TimeSpan.FromSeconds(60);
    private readonly ConcurrentDictionary<string, byte> _seenJti = new(StringComparer.Ordinal);
    private int _nonceRequired;

    /// <summary>Gets the nonce the server hands out and, when <see cref="DevAuthorizationServerOptions.RequireDpopNonce"/> is set, requires.</summary>
    public string Nonce { get; } = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16));

    /// <summary>Gets how many requests were refused with <c>use_dpop_nonce</c>.</summary>
    public int NonceRequiredCount => Volatile.Read(ref _nonceRequired);

    /// <summary>Checks the one DPoP proof of <paramref name="request"/> and returns the thumbprint of its key, or an error code.</summary>
    public (string? Jkt, string? Error) Validate(HttpRequest request, string? accessToken)
    {
        var proofs = request.Headers[HeaderName];
        if (proofs.Count != 1 || string.IsNullOrEmpty(proofs[0]))
        {
            return (null, "invalid_dpop_proof");
        }

        JsonWebToken proof;
        JsonWebKey jwk;
        try
        {
            proof = new JsonWebToken(proofs[0]);
            if (!proof.TryGetHeaderValue<JsonElement>("jwk", out var header) || header.TryGetProperty("d", out _))
            {
                return (null, "invalid_dpop_proof");
            }

            jwk = new JsonWebKey(header.GetRawText());
        }
        catch (ArgumentException)
        {
            return (null, "invalid_dpop_proof");
        }

        var result = new JsonWebTokenHandler().ValidateTokenAsync(proofs[0], new TokenValidationParameters
        {
            IssuerSigningKey = jwk,
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
            RequireExpirationTime = false,
            ValidTypes = ["dpop+jwt"],
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSsaPssSha256],
        }).GetAwaiter().GetResult();
        if (!result.IsValid)
        {
            return (null, "invalid_dpop_proof");
        }

        var htu = $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}";
        var issuedAt = proof.TryGetPayloadValue<long>("iat", out var iat) ? DateTimeOffset.FromUnixTimeSeconds(iat) : DateTimeOffset.MinValue;
        var ath = accessToken is null ? null : Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(accessToken)));
        if (!proof.TryGetPayloadValue<string>("htm", out var htm) || htm != request.Method
            || !proof.TryGetPayloadValue<string>("htu", out var claimedHtu) || !string.Equals(claimedHtu, htu, StringComparison.OrdinalIgnoreCase)
            || (options.TimeProvider.GetUtcNow() - issuedAt).Duration() > Window
            || string.IsNullOrEmpty(proof.Id) || !_seenJti.TryAdd(proof.Id, 0)
            || (ath is not null && (!proof.TryGetPayloadValue<string>("ath", out var claimedAth) || claimedAth != ath)))
        {
            return (null, "invalid_dpop_proof");
        }

        if (options.RequireDpopNonce && (!proof.TryGetPayloadValue<string>("nonce", out var nonce) || nonce != Nonce))
        {
            Interlocked.Increment(ref _nonceRequired);
            return (null, UseNonce);
        }

        return (Base64UrlEncoder.Encode(jwk.ComputeJwkThumbprint()), null);
    }
}
