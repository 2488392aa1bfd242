namespace OAuthClient.Internal;

/// <summary>
/// What the token endpoint of one configured client needs from that client's options, whichever flow it serves.
/// Each flow's options make one (<c>ClientCredentialsOptions</c>, <c>InteractiveSignInOptions</c>).
/// </summary>
/// <remarks>Holds the client secret: a class, not a record, so that nothing prints it.</remarks>
internal sealed class TokenEndpointSettings
{
    public required string ClientName { get; init; }

    public required string ClientId { get; init; }

    /// <summary>Gets the issuer whose discovery document names the endpoints that are not configured.</summary>
    public Uri? Authority { get; init; }

    public Uri? TokenEndpoint { get; init; }

    public Uri? AuthorizationEndpoint { get; init; }

    public Uri? RevocationEndpoint { get; init; }

    /// <summary>Gets the device authorization endpoint (RFC 8628), when it is configured rather than discovered.</summary>
    public Uri? DeviceAuthorizationEndpoint { get; init; }

    /// <summary>Gets the configured issuer identifier, used when discovery is not.</summary>
    public string? Issuer { get; init; }

    /// <summary>Gets whether the flow needs the authorization endpoint, so discovery must find it when it is not configured.</summary>
    public bool NeedsAuthorizationEndpoint { get; init; }

    /// <summary>Gets how the client authenticates; <see langword="null"/> for a public client that sends only its id.</summary>
    public ClientAuthenticationMethod? ClientAuthentication { get; init; }

    public string? ClientSecret { get; init; }

    public required ClientAssertionOptions ClientAssertion { get; init; }

    public required DpopOptions Dpop { get; init; }

    /// <summary>Gets the key objects set in code for <see cref="ClientAssertion"/> and <see cref="Dpop"/>.</summary>
    public required ClientKeys Keys { get; init; }

    public bool RequireHttps { get; init; } = true;

    public TimeSpan RefreshBeforeExpiry { get; init; } = ProtocolDefaults.RefreshBeforeExpiry;

    public TimeSpan DefaultTokenLifetime { get; init; } = ProtocolDefaults.TokenLifetime;

    public TimeSpan TokenRequestTimeout { get; init; } = ProtocolDefaults.TokenRequestTimeout;

    /// <summary>Gets how often a transient failure is retried.</summary>
    public int Retries { get; init; }

    public TimeSpan RetryDelay { get; init; } = ProtocolDefaults.TokenRequestRetryDelay;

    /// <summary>Gets whether discovery is needed: an authority, and an endpoint the flow needs that is not configured.</summary>
    public bool NeedsDiscovery =>
        Authority is not null && (TokenEndpoint is null || (NeedsAuthorizationEndpoint && AuthorizationEndpoint is null));

    /// <inheritdoc/>
    public override string ToString() => $"TokenEndpointSettings {{ ClientName = {ClientName}, ClientSecret = [redacted] }}";
}
