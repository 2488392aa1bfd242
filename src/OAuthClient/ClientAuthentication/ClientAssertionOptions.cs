namespace OAuthClient;

/// <summary>Configures the signed JWT a client authenticates with under <see cref="ClientAuthenticationMethod.PrivateKeyJwt"/> (RFC 7523).</summary>
/// <remarks>
/// Set exactly one key: <see cref="Jwk"/> here, or a key object, certificate or factory in code on <see cref="ClientKeys"/>. Only
/// what configuration can express lives here, so it binds under Native AOT. The key material is never logged, and
/// <see cref="ToString"/> redacts it.
/// </remarks>
public sealed class ClientAssertionOptions
{
    /// <summary>The defaults, for options that set none; never changed.</summary>
    internal static readonly ClientAssertionOptions Unset = new();

    /// <summary>Gets or sets the private key as a JSON Web Key (RFC 7517), RSA or EC P-256, for configuration files and secret stores.</summary>
    public string? Jwk { get; set; }

    /// <summary>Gets or sets the signing algorithm: <c>RS256</c> or <c>PS256</c> for RSA keys, <c>ES256</c> for EC P-256 keys.</summary>
    /// <remarks>Defaults to RS256 for RSA keys and ES256 for EC keys.</remarks>
    public string? Algorithm { get; set; }

    /// <summary>Gets or sets what the assertion's <c>aud</c> names.</summary>
    /// <remarks>Defaults to <see cref="ClientAssertionAudience.TokenEndpoint"/>.</remarks>
    public ClientAssertionAudience Audience { get; set; } = ClientAssertionAudience.TokenEndpoint;

    /// <summary>Gets or sets how long an assertion is valid after it is made; each token request makes a new one.</summary>
    /// <remarks>Defaults to 60 seconds; at most 10 minutes.</remarks>
    public TimeSpan Lifetime { get; set; } = ClientAssertionDefaults.Lifetime;

    /// <inheritdoc/>
    public override string ToString() =>
        $"ClientAssertionOptions {{ Jwk = {(Jwk is null ? "(none)" : "[redacted]")}, Algorithm = {Algorithm}, Audience = {Audience}, Lifetime = {Lifetime} }}";
}
