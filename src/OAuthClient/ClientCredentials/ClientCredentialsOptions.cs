namespace OAuthClient;

/// <summary>Configures how one named client gets client-credentials tokens and where it sends them.</summary>
/// <remarks>
/// Bind it from configuration or set it in code; it is validated when the host starts. Set either
/// <see cref="Authority"/> (the token endpoint is found through discovery) or <see cref="TokenEndpoint"/>.
/// </remarks>
public sealed class ClientCredentialsOptions
{
    /// <summary>Gets or sets the issuer whose discovery document (RFC 8414 / OpenID Connect) names the token endpoint.</summary>
    public Uri? Authority { get; set; }

    /// <summary>Gets or sets the token endpoint, when it is not found through <see cref="Authority"/>.</summary>
    public Uri? TokenEndpoint { get; set; }

    /// <summary>Gets or sets the client identifier registered at the authorization server.</summary>
    public string? ClientId { get; set; }

    /// <summary>Gets or sets the client secret, for <see cref="ClientAuthenticationMethod.ClientSecretBasic"/> and <see cref="ClientAuthenticationMethod.ClientSecretPost"/>.</summary>
    /// <remarks>Never logged, and redacted by <see cref="ToString"/>.</remarks>
    public string? ClientSecret { get; set; }

    /// <summary>Gets or sets how the client authenticates to the token endpoint.</summary>
    /// <remarks>Defaults to <see cref="ClientAuthenticationMethod.ClientSecretBasic"/>.</remarks>
    public ClientAuthenticationMethod ClientAuthentication { get; set; } = ClientAuthenticationMethod.ClientSecretBasic;

    /// <summary>Gets the key and settings of the signed client assertion, for <see cref="ClientAuthenticationMethod.PrivateKeyJwt"/>.</summary>
    public ClientAssertionOptions ClientAssertion => LazyInitializer.EnsureInitialized(ref _clientAssertion, static () => new ClientAssertionOptions());

    /// <summary>Gets the DPoP settings (RFC 9449): off unless <see cref="DpopOptions.Enabled"/> is set.</summary>
    public DpopOptions Dpop => LazyInitializer.EnsureInitialized(ref _dpop, static () => new DpopOptions());

    /// <summary>Gets or sets the space-separated scopes to ask for.</summary>
    public string? Scope { get; set; }

    /// <summary>Gets or sets the resource indicator (RFC 8707) of the API the token is for.</summary>
    public string? Resource { get; set; }

    /// <summary>Gets the extra form parameters sent with each token request, such as <c>audience</c>.</summary>
    public IDictionary<string, string> Parameters =>
        LazyInitializer.EnsureInitialized(ref _parameters, static () => new Dictionary<string, string>(StringComparer.Ordinal));

    /// <summary>Gets the origins (scheme, host and port) that receive the token.</summary>
    /// <remarks>
    /// When empty, the token goes only to the origin of the HttpClient's <c>BaseAddress</c>.
    /// Requests to any other origin are sent without the token.
    /// </remarks>
    public IList<Uri> ApiOrigins => LazyInitializer.EnsureInitialized(ref _apiOrigins, static () => new List<Uri>());

    /// <summary>Gets or sets how long before it expires a token is renewed.</summary>
    /// <remarks>
    /// Defaults to 60 seconds, and is never more than a quarter of the token's lifetime. From then on requests
    /// keep using the current token while one background request replaces it; if that request fails, the next
    /// waits 30 seconds. Only a request made after the token has expired waits for a new one.
    /// </remarks>
    public TimeSpan RefreshBeforeExpiry { get; set; } = ProtocolDefaults.RefreshBeforeExpiry;

    /// <summary>Gets or sets whether a token that requests used is renewed at its renewal time even if no request comes then.</summary>
    /// <remarks>
    /// Defaults to <see langword="false"/>: a request that finds the token within <see cref="RefreshBeforeExpiry"/> of
    /// expiry starts its renewal, so a client idle through that window lets its token expire and its next request waits
    /// for a new one. When <see langword="true"/>, a token read from the cache at least once since it arrived is renewed
    /// at that time by one timer that serves every client (at most 64 such renewals at once), never twice, and a failed
    /// renewal is tried again after 30 seconds while the token is valid; a token nobody read is left to expire, so a
    /// client no longer used stops asking for tokens after one lifetime.
    /// </remarks>
    public bool RenewInBackground { get; set; }

    /// <summary>Gets or sets the lifetime assumed when the token response carries no <c>expires_in</c>.</summary>
    /// <remarks>Defaults to 5 minutes. Tokens are never kept longer than 24 hours.</remarks>
    public TimeSpan DefaultTokenLifetime { get; set; } = ProtocolDefaults.TokenLifetime;

    /// <summary>Gets or sets how long one token acquisition may take, discovery and retries included.</summary>
    /// <remarks>Defaults to 30 seconds; at most one hour.</remarks>
    public TimeSpan TokenRequestTimeout { get; set; } = ProtocolDefaults.TokenRequestTimeout;

    /// <summary>Gets or sets how many times a transient token-endpoint failure (5xx, 408, 429, a network error) is retried.</summary>
    /// <remarks>Defaults to 2. Errors such as <c>invalid_client</c> are never retried.</remarks>
    public int TokenRequestRetries { get; set; } = ProtocolDefaults.TokenRequestRetries;

    /// <summary>Gets or sets the first delay between token request attempts; it doubles with each attempt.</summary>
    /// <remarks>Defaults to 500 milliseconds. A <c>Retry-After</c> of up to 10 seconds takes its place.</remarks>
    public TimeSpan TokenRequestRetryDelay { get; set; } = ProtocolDefaults.TokenRequestRetryDelay;

    /// <summary>Gets or sets whether the authority and token endpoint must use HTTPS.</summary>
    /// <remarks>
    /// Defaults to <see langword="true"/>; loopback addresses may always use HTTP. Turn it off only for
    /// development: a warning is logged each time such an endpoint is used.
    /// </remarks>
    public bool RequireHttps { get; set; } = true;

    /// <summary>Gets or sets the name of the HttpClient that carries this client's discovery and token requests.</summary>
    /// <remarks>
    /// Defaults to <see langword="null"/>: the shared <c>OAuthClient.TokenEndpoint</c> client. Name another
    /// <c>AddHttpClient</c> registration to give this client its own proxy or client certificate. Automatic redirects
    /// are turned off in it, and responses over 64 KiB refused unless it says otherwise.
    /// </remarks>
    public string? BackchannelHttpClientName { get; set; }

    // The settings objects and collections are made when first asked for: the options of every configured client stay in
    // the options cache for the life of the application, and most clients set none of these. Our code reads them through
    // the accessors below, which make nothing. Factories, not Activator: nothing for trimming or Native AOT to keep.
    private ClientAssertionOptions? _clientAssertion;
    private DpopOptions? _dpop;
    private IDictionary<string, string>? _parameters;
    private IList<Uri>? _apiOrigins;

    /// <summary>Gets the assertion settings, or the defaults when none were set, without making an object.</summary>
    internal ClientAssertionOptions ClientAssertionOrDefault => _clientAssertion ?? ClientAssertionOptions.Unset;

    /// <summary>Gets the DPoP settings, or the defaults (off) when none were set, without making an object.</summary>
    internal DpopOptions DpopOrDefault => _dpop ?? DpopOptions.Unset;

    /// <summary>Gets the extra parameters, without making a dictionary when there are none.</summary>
    internal IEnumerable<KeyValuePair<string, string>> ParametersOrEmpty => _parameters ?? (IEnumerable<KeyValuePair<string, string>>)[];

    /// <summary>Gets the number of extra parameters.</summary>
    internal int ParameterCount => _parameters?.Count ?? 0;

    /// <summary>Gets the API origins, without making a list when there are none.</summary>
    internal IList<Uri> ApiOriginsOrEmpty => _apiOrigins ?? Array.Empty<Uri>();

    /// <inheritdoc/>
    public override string ToString() =>
        $"ClientCredentialsOptions {{ Authority = {Authority}, TokenEndpoint = {TokenEndpoint}, ClientId = {ClientId}, " +
        $"ClientSecret = {(ClientSecret is null ? "(none)" : "[redacted]")}, ClientAuthentication = {ClientAuthentication}, " +
        $"ClientAssertion = {ClientAssertionOrDefault}, Dpop = {DpopOrDefault}, Scope = {Scope}, Resource = {Resource} }}";
}
