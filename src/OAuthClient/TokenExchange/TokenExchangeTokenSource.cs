using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;
using Microsoft.IdentityModel.JsonWebTokens;

namespace OAuthClient.Internal;

/// <summary>
/// Exchanges one subject token under one version of a client's settings. Made per request, light: the cache key (the
/// SHA-256 of the subject, never the subject itself) is what the cache keeps; the subject stays with the request.
/// </summary>
internal sealed class TokenExchangeTokenSource : ITokenSource
{
    private readonly TokenExchangeSettings _settings;
    private readonly SubjectToken _subject;

    public TokenExchangeTokenSource(TokenExchangeSettings settings, SubjectToken subject)
    {
        _settings = settings;
        _subject = subject;
        Key = KeyOf(settings, subject);
    }

    public TokenCacheKey Key { get; }

    /// <summary>Tells whether this source is for the very same subject token instance, under the same settings version.</summary>
    public bool Serves(TokenExchangeSettings settings, SubjectToken subject) =>
        ReferenceEquals(_settings, settings)
        && ReferenceEquals(_subject.Token, subject.Token)
        && string.Equals(_subject.TokenType, subject.TokenType, StringComparison.Ordinal);

    /// <summary>Makes the cache key of <paramref name="subject"/> under <paramref name="settings"/>.</summary>
    public static TokenCacheKey KeyOf(TokenExchangeSettings settings, SubjectToken subject)
    {
        // The digest of the token's UTF-8 bytes (half the UTF-16 ones for the ASCII of real tokens, so half the hashing).
        const int StackLimit = 1024;
        var token = subject.Token.AsSpan();
        var maxBytes = Encoding.UTF8.GetMaxByteCount(token.Length);
        var rented = maxBytes > StackLimit ? ArrayPool<byte>.Shared.Rent(maxBytes) : null;
        var bytes = rented ?? stackalloc byte[StackLimit];
        try
        {
            // Strict: a lone surrogate would otherwise become U+FFFD, and two different tokens one digest.
            if (Utf8.FromUtf16(token, bytes, out _, out var written, replaceInvalidSequences: false) != OperationStatus.Done)
            {
                throw new MissingSubjectTokenException(settings.ClientName, "The subject token is not valid text (it holds a lone UTF-16 surrogate).");
            }

            Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(bytes[..written], digest);
            return new TokenCacheKey(settings.ClientName, settings, subject.TokenType, digest);
        }
        finally
        {
            if (rented is not null)
            {
                // The bytes are the user's token: cleared before another caller rents them.
                ArrayPool<byte>.Shared.Return(rented, clearArray: true);
            }
        }
    }

    public async Task<AccessToken> RequestTokenAsync(CancellationToken cancellationToken)
    {
        // The actor is this service: the token client's own token, from its cache (RFC 8693 §1.1, delegation).
        var actor = _settings.UseActorToken
            ? await _settings.TokenClient.GetTokenAsync(cancellationToken).ConfigureAwait(false)
            : null;
        var grant = Grant.TokenExchange(
            _subject.Token, _subject.TokenType, actor?.Value, _settings.RequestedTokenType, _settings.Audience, _settings.Resource, _settings.Scope, _settings.Parameters);
        try
        {
            var token = (await _settings.Endpoint.RequestAsync(grant, cancellationToken).ConfigureAwait(false)).AccessToken;
            return CapAtSubjectExpiry(token, _subject.Token);
        }
        catch (TokenRequestException ex) when (actor is not null && ex.Error == "invalid_grant")
        {
            // The actor token may be the one refused (revoked): the next exchange gets a new one, so that one revoked token
            // does not fail every user's exchange until it expires.
            _settings.DropActorTokenAfterRefusal(actor);
            throw;
        }
    }

    /// <summary>
    /// Keeps a token no longer than the subject it was exchanged for, when that is a JWT with an <c>exp</c>: a user whose
    /// token has expired must not be served from the cache. The subject is read, not validated: this can only shorten.
    /// </summary>
    internal static AccessToken CapAtSubjectExpiry(AccessToken token, string subject)
    {
        if (SubjectExpiry(subject) is not { } expiry || expiry >= token.ExpiresAt)
        {
            return token;
        }

        // No renewal before then: a new exchange with the same subject could last no longer.
        return new AccessToken(token.Value, token.TokenType, expiry, expiry, token.Scope);
    }

    private static DateTimeOffset? SubjectExpiry(string subject)
    {
        // A signed JWT has three parts; an encrypted one (five) or an opaque token says nothing we can read.
        if (subject.AsSpan().Count('.') != 2)
        {
            return null;
        }

        try
        {
            var jwt = new JsonWebToken(subject);
            return jwt.TryGetPayloadValue<long>("exp", out var exp) && exp > 0 && exp < 253402300800
                ? DateTimeOffset.FromUnixTimeSeconds(exp)
                : null;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or System.Text.Json.JsonException)
        {
            // Not a JWT after all: Microsoft.IdentityModel reports malformed tokens as ArgumentException subclasses.
            return null;
        }
    }
}
