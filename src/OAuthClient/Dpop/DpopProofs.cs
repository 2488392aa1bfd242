using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Duende.IdentityModel.Client;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace OAuthClient.Internal;

/// <summary>
/// One client's DPoP key: signs proofs (RFC 9449 §4) for the token endpoint and the API, and remembers the latest
/// <c>DPoP-Nonce</c> of each server origin. Thread-safe.
/// </summary>
internal sealed class DpopProofs
{
    public const string HeaderName = "DPoP";
    public const string NonceHeaderName = "DPoP-Nonce";
    public const string Scheme = "DPoP";
    public const string UseNonceError = "use_dpop_nonce";

    // The most origins whose latest nonce is kept.
    private const int MaxOrigins = 64;

    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    private readonly SigningKey _key;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, object> _header;
    private readonly ConcurrentDictionary<string, string> _nonces = new(StringComparer.OrdinalIgnoreCase);

    public DpopProofs(SigningKey key, TimeProvider time, bool keyIsGenerated = false)
    {
        _key = key;
        KeyIsGenerated = keyIsGenerated;
        _time = time;
        _header = new Dictionary<string, object>(StringComparer.Ordinal) { ["jwk"] = key.PublicJwk };
    }

    /// <summary>Builds the proofs of enabled <paramref name="options"/> (validated before), or <see langword="null"/> when DPoP is off.</summary>
    public static DpopProofs? Create(DpopOptions options, ClientKeys keys, TimeProvider time)
    {
        if (!options.Enabled)
        {
            return null;
        }

        if (options.Jwk is null && keys.DpopKey is null)
        {
            return new DpopProofs(SigningKey.CreateEphemeral(), time, keyIsGenerated: true);
        }

        var key = SigningKey.TryCreate(options.Jwk, keys.DpopKey, certificate: null, options.Algorithm, "Dpop", withKeyId: false, out var problem)
            ?? throw new InvalidOperationException(problem);
        return new DpopProofs(key, time);
    }

    /// <summary>Gets whether the key was generated in this process (no key configured): tokens bound to it die with the process.</summary>
    public bool KeyIsGenerated { get; }

    /// <summary>Gets the JWK thumbprint of the public key (RFC 7638): the <c>jkt</c> tokens are bound to.</summary>
    public string Thumbprint => _key.Thumbprint;

    /// <summary>Creates a proof for one request; with <paramref name="accessToken"/> it carries <c>ath</c>, the hash of that exact token.</summary>
    public string CreateProof(HttpMethod method, Uri uri, string? accessToken)
    {
        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            [JwtRegisteredClaimNames.Jti] = JwtClientAssertionFactory.NewJwtId(),
            ["htm"] = method.Method,
            // RFC 9449 §4.2: the URI without query and fragment.
            ["htu"] = uri.GetLeftPart(UriPartial.Path),
            [JwtRegisteredClaimNames.Iat] = _time.GetUtcNow().ToUnixTimeSeconds(),
        };

        if (_nonces.TryGetValue(Origin(uri), out var nonce))
        {
            claims["nonce"] = nonce;
        }

        if (accessToken is not null)
        {
            claims["ath"] = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(accessToken)));
        }

        return Handler.CreateToken(new SecurityTokenDescriptor
        {
            TokenType = "dpop+jwt",
            SigningCredentials = _key.Credentials,
            AdditionalHeaderClaims = _header,
            Claims = claims,
        });
    }

    /// <summary>Keeps the nonce a server sent, for the next proofs to its origin; tells whether it is new.</summary>
    public bool RememberNonce(Uri uri, string? nonce)
    {
        if (string.IsNullOrEmpty(nonce))
        {
            return false;
        }

        var origin = Origin(uri);
        var known = _nonces.TryGetValue(origin, out var current) && string.Equals(current, nonce, StringComparison.Ordinal);
        if (current is null && _nonces.Count >= MaxOrigins)
        {
            // Nonces come only from the token endpoint and the client's API origins; past that many, a server is
            // sending them from places it should not, and a new origin's nonce is simply asked for again.
            return false;
        }

        _nonces[origin] = nonce;
        return !known;
    }

    /// <summary>Reads the <c>DPoP-Nonce</c> header of <paramref name="response"/>, if any.</summary>
    public static string? ReadNonce(HttpResponseMessage? response) =>
        response is not null && response.Headers.TryGetValues(NonceHeaderName, out var values) ? values.FirstOrDefault() : null;

    private static string Origin(Uri uri) => uri.GetLeftPart(UriPartial.Authority);
}
