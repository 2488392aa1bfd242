namespace OAuthClient;

/// <summary>
/// Gets client-credentials tokens for one client under one version of its options: the grant as data, sent to the
/// client's token endpoint. A change of options makes a new source, with a new cache key and a new endpoint, so no
/// token of the old settings is served after the change.
/// </summary>
internal sealed class ClientCredentialsTokenSource : ApiTokenConfiguration, ITokenSource
{
    private readonly TokenEndpoint _endpoint;
    private readonly ClientCredentialsOptions _options;

    // In this process a source is one version of one client's options, so a key equal only to itself identifies its
    // tokens; everything that changes a token goes into SharedKey, for other processes.
    public ClientCredentialsTokenSource(string clientName, ClientCredentialsOptions options, TokenEndpoint endpoint)
        : base(options.ApiOriginsOrEmpty.Select(ApiOrigin.From).ToArray(), new TokenCacheKey(clientName) { RenewInBackground = options.RenewInBackground })
    {
        ClientName = clientName;
        Acquirer = this;
        _endpoint = endpoint;
        _options = options;
    }

    public string ClientName { get; }

    /// <summary>
    /// Gets what identifies the token in every process with these options: the server, the client and its credentials,
    /// what is asked for, and the DPoP key a bound token is only good with (RFC 9449). Each parameter is two parts, so
    /// no "a=b" trick can merge two. Built when asked (once, by a decorator): most clients never need it.
    /// </summary>
    public string SharedKey => KeyEncoding.Encode(
    [
        ClientName, _options.ClientId, _options.Authority?.AbsoluteUri, _options.TokenEndpoint?.AbsoluteUri,
        _options.Scope, _options.Resource, _endpoint.CredentialIdentity, Dpop?.Thumbprint,
        .. _options.ParametersOrEmpty.OrderBy(p => p.Key, StringComparer.Ordinal).SelectMany(p => new[] { p.Key, p.Value }),
    ]);

    /// <summary>Gets the source the cache acquires tokens through: this one, or a decorator of it.</summary>
    public ITokenSource Acquirer { get; private set; }

    /// <summary>Gets the token endpoint of this version of the client's options; a token exchange sent by this client uses it too.</summary>
    public TokenEndpoint Endpoint => _endpoint;

    /// <summary>Gets the DPoP key and nonces of this client, or <see langword="null"/> when it uses Bearer tokens.</summary>
    public DpopProofs? Dpop => _endpoint.Dpop;

    /// <summary>Makes the settings of the token endpoint of a client with these options and keys.</summary>
    public static TokenEndpointSettings EndpointSettings(string clientName, ClientCredentialsOptions options, ClientKeys keys) => new()
    {
        ClientName = clientName,
        ClientId = options.ClientId!,
        Authority = options.Authority,
        TokenEndpoint = options.TokenEndpoint,
        ClientAuthentication = options.ClientAuthentication,
        ClientSecret = options.ClientSecret,
        ClientAssertion = options.ClientAssertionOrDefault,
        Dpop = options.DpopOrDefault,
        Keys = keys,
        RequireHttps = options.RequireHttps,
        RefreshBeforeExpiry = options.RefreshBeforeExpiry,
        DefaultTokenLifetime = options.DefaultTokenLifetime,
        TokenRequestTimeout = options.TokenRequestTimeout,
        Retries = options.TokenRequestRetries,
        RetryDelay = options.TokenRequestRetryDelay,
    };

    public async Task<AccessToken> RequestTokenAsync(CancellationToken cancellationToken) =>
        (await _endpoint.RequestAsync(
            // Made per request, not kept: a source lives as long as its client, and requests are rare.
            Grant.ClientCredentials(_options.Scope, _options.Resource, _options.ParametersOrEmpty), cancellationToken).ConfigureAwait(false)).AccessToken;

    /// <summary>Puts the decorators' wrappers between the cache and this source; called once, before the source is shared.</summary>
    public void Decorate(IEnumerable<ITokenSourceDecorator> decorators)
    {
        foreach (var decorator in decorators)
        {
            Acquirer = decorator.Decorate(ClientName, SharedKey, Acquirer);
        }
    }
}
