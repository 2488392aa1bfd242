using System.Security.Cryptography;
using System.Text;
using Duende.IdentityModel;
using Duende.IdentityModel.Client;
using Microsoft.IdentityModel.Tokens;

namespace OAuthClient;

/// <summary>
/// Puts a client's credentials on a token, refresh or revocation request: a secret in the one configured style,
/// a fresh signed assertion per request, or only the client id for a public client. Shared by every flow.
/// </summary>
internal sealed class ClientAuthenticator
{
    private readonly string _clientName;
    private readonly string _clientId;
    private readonly ClientAuthenticationMethod? _method;
    private readonly string? _secret;
    private readonly ClientAssertionAudience _audience;
    private readonly IClientAssertionFactory? _assertions;
    private readonly string? _keyThumbprint;

    // A null method is a public client (RFC 6749 §2.1): it sends only its id.
    public ClientAuthenticator(
        string clientName, string clientId, ClientAuthenticationMethod? method, string? secret, ClientAssertionOptions assertion, ClientKeys keys, TimeProvider time)
    {
        _clientName = clientName;
        _clientId = clientId;
        _method = method;
        _secret = secret;
        _audience = assertion.Audience;
        string? keyThumbprint = null;
        _assertions = method == ClientAuthenticationMethod.PrivateKeyJwt ? CreateAssertionFactory(assertion, keys, time, out keyThumbprint) : null;

        _keyThumbprint = keyThumbprint;
    }

    /// <summary>Gets a SHA-256 hash of the method and the credentials (the secret, or the assertion key's thumbprint).</summary>
    /// <remarks>
    /// Which credentials these are, not what: a wrong, revoked or rotated secret or key is another identity, so a token
    /// shared across instances under one identity never serves another. Computed when asked (by the shared cache).
    /// </remarks>
    public string Identity
    {
        get
        {
            string?[] identity = [_method?.ToString(), _method is null or ClientAuthenticationMethod.PrivateKeyJwt ? null : _secret, _keyThumbprint,
                _assertions is null || _keyThumbprint is not null ? null : _assertions.GetType().FullName];
            return Base64UrlEncoder.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(KeyEncoding.Encode(identity))));
        }
    }

    /// <summary>Sets the client id and credentials of <paramref name="request"/>.</summary>
    /// <param name="request">The request to authenticate.</param>
    /// <param name="tokenEndpoint">The server's token endpoint: the assertion's audience unless the issuer is configured.</param>
    /// <param name="issuer">The server's issuer identifier, for <see cref="ClientAssertionAudience.Issuer"/>.</param>
    /// <param name="cancellationToken">Stops the making of an assertion.</param>
    public async ValueTask ApplyAsync(ProtocolRequest request, Uri tokenEndpoint, string? issuer, CancellationToken cancellationToken)
    {
        request.ClientId = _clientId;

        // Explicit, never probed: credentials go out once, in the one style the server expects.
        request.ClientCredentialStyle = _method == ClientAuthenticationMethod.ClientSecretBasic
            ? ClientCredentialStyle.AuthorizationHeader
            : ClientCredentialStyle.PostBody;

        // RFC 6749 §2.3.1: id and secret are form-urlencoded before the Basic encoding.
        request.AuthorizationHeaderStyle = BasicAuthenticationHeaderStyle.Rfc6749;
        if (_assertions is null)
        {
            request.ClientSecret = _method is null ? null : _secret;
            return;
        }

        // Each request gets its own assertion: a retried request must not replay a jti the server may have seen.
        var audience = _audience == ClientAssertionAudience.Issuer && issuer is not null ? issuer : tokenEndpoint.AbsoluteUri;
        var context = new ClientAssertionContext(_clientName, _clientId, tokenEndpoint, audience);
        request.ClientAssertion = new ClientAssertion
        {
            Type = OidcConstants.ClientAssertionTypes.JwtBearer,
            Value = await _assertions.CreateAssertionAsync(context, cancellationToken).ConfigureAwait(false),
        };
    }

    private static IClientAssertionFactory CreateAssertionFactory(ClientAssertionOptions assertion, ClientKeys keys, TimeProvider time, out string? keyThumbprint)
    {
        keyThumbprint = null;
        if (keys.ClientAssertionFactory is { } factory)
        {
            return factory;
        }

        // The options were validated before this is built; a key that fails here failed validation too.
        var key = SigningKey.TryCreate(
                assertion.Jwk, keys.ClientAssertionKey, keys.ClientAssertionCertificate, assertion.Algorithm, "ClientAssertion", withKeyId: true, out var problem)
            ?? throw new InvalidOperationException(problem);
        keyThumbprint = key.Thumbprint;
        return new JwtClientAssertionFactory(key, assertion.Lifetime, time);
    }
}
