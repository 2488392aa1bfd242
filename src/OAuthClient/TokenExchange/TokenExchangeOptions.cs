namespace OAuthClient;

/// <summary>
/// Configures a token exchange (RFC 8693) for one HttpClient: each request carries a token obtained by trading the
/// current subject token (the user's) for one issued to the downstream API.
/// </summary>
/// <remarks>
/// The exchange is sent by the client-credentials token client <see cref="TokenClientName"/>, whose endpoint, credentials,
/// DPoP key and backchannel it uses: the service authenticates as itself. Bind it from configuration or set it in code; it
/// is validated when the host starts.
/// </remarks>
public sealed class TokenExchangeOptions
{
    /// <summary>Gets or sets the name of the client-credentials token client that sends the exchange (required).</summary>
    /// <remarks>Registered with <c>services.AddClientCredentialsTokenClient(name, ...)</c> or <c>AddClientCredentialsToken</c>.</remarks>
    public string? TokenClientName { get; set; }

    /// <summary>Gets or sets the logical name of the API the exchanged token is for (RFC 8693 <c>audience</c>).</summary>
    /// <remarks>At least one of <see cref="Audience"/>, <see cref="Resource"/> and <see cref="Scope"/> is required.</remarks>
    public string? Audience { get; set; }

    /// <summary>Gets or sets the absolute URI of the API the exchanged token is for (RFC 8693 and RFC 8707 <c>resource</c>).</summary>
    public string? Resource { get; set; }

    /// <summary>Gets or sets the space-separated scopes to ask for.</summary>
    public string? Scope { get; set; }

    /// <summary>Gets or sets the type of token to ask for (RFC 8693 <c>requested_token_type</c>).</summary>
    /// <remarks>
    /// Defaults to <see cref="TokenTypeIdentifiers.AccessToken"/>. Whatever is asked for, the answer must be a token the
    /// API accepts in an <c>Authorization</c> header: its <c>token_type</c> must be <c>Bearer</c> (or <c>DPoP</c>).
    /// </remarks>
    public string RequestedTokenType { get; set; } = TokenTypeIdentifiers.AccessToken;

    /// <summary>Gets or sets whether the token client's own client-credentials token goes with the exchange as the actor token.</summary>
    /// <remarks>
    /// Defaults to <see langword="false"/> (impersonation: the downstream API sees only the user). When set, the exchange is a
    /// delegation (RFC 8693 §1.1): servers that support it put the service in the issued token's <c>act</c> claim. The actor
    /// token is the token client's cached token, renewed as usual.
    /// </remarks>
    public bool UseActorToken { get; set; }

    /// <summary>Gets the extra form parameters sent with each exchange.</summary>
    public IDictionary<string, string> Parameters { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Gets the origins (scheme, host and port) that receive the exchanged token.</summary>
    /// <remarks>When empty, the token goes only to the origin of the HttpClient's <c>BaseAddress</c>.</remarks>
    public IList<Uri> ApiOrigins { get; } = new List<Uri>();

    /// <summary>Gets or sets how many exchanged tokens are kept in memory at most (one per user and setting).</summary>
    /// <remarks>
    /// Defaults to 10,000. Each costs about 0.7 KB besides the token itself (measured in benchmarks/README.md). When the limit
    /// is reached the least recently used are dropped, and those users' next requests exchange again.
    /// </remarks>
    public int MaxCachedTokens { get; set; } = TokenExchangeDefaults.MaxCachedTokens;

    /// <inheritdoc/>
    public override string ToString() =>
        $"TokenExchangeOptions {{ TokenClientName = {TokenClientName}, Audience = {Audience}, Resource = {Resource}, Scope = {Scope}, " +
        $"RequestedTokenType = {RequestedTokenType}, UseActorToken = {UseActorToken} }}";
}
