using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace OAuthClient;

/// <summary>Signs client assertions (RFC 7523 §3) with the configured key: a new <c>jti</c>, <c>iat</c> and <c>exp</c> each time.</summary>
internal sealed class JwtClientAssertionFactory : IClientAssertionFactory
{
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    private readonly SigningKey _key;
    private readonly TimeSpan _lifetime;
    private readonly TimeProvider _time;

    public JwtClientAssertionFactory(SigningKey key, TimeSpan lifetime, TimeProvider time)
    {
        _key = key;
        _lifetime = lifetime;
        _time = time;
    }

    public ValueTask<string> CreateAssertionAsync(ClientAssertionContext context, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var descriptor = new SecurityTokenDescriptor
        {
            // RFC 7523bis and OpenID Connect: the explicit type keeps an assertion from passing for another kind of JWT.
            TokenType = "client-authentication+jwt",
            SigningCredentials = _key.Credentials,
            Claims = new Dictionary<string, object>(StringComparer.Ordinal)
            {
                [JwtRegisteredClaimNames.Iss] = context.ClientId,
                [JwtRegisteredClaimNames.Sub] = context.ClientId,
                [JwtRegisteredClaimNames.Aud] = context.Audience,
                [JwtRegisteredClaimNames.Jti] = NewJwtId(),
                [JwtRegisteredClaimNames.Iat] = now.ToUnixTimeSeconds(),
                [JwtRegisteredClaimNames.Exp] = (now + _lifetime).ToUnixTimeSeconds(),
            },
        };
        return new ValueTask<string>(Handler.CreateToken(descriptor));
    }

    /// <summary>Makes a unique JWT id: 128 random bits, base64url.</summary>
    public static string NewJwtId() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16));
}
