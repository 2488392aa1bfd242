using Duende.IdentityModel;
using Duende.IdentityModel.Client;
using Microsoft.Extensions.Logging;

namespace OAuthClient;

/// <summary>
/// Gets client-credentials tokens for one client under one version of its options. A change of options
/// makes a new source, with a new cache key, so no token of the old settings is served after the change.
/// </summary>
internal sealed class ClientCredentialsTokenSource : ITokenSource
{
    private static long s_generation;

    private readonly string _clientName;
    private readonly ClientCredentialsOptions _options;
    private readonly TokenClient _tokenClient;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, string> _parameters;
    private readonly ClientAuthenticator _authenticator;
    private (Uri Endpoint, string? Issuer, DateTimeOffset ReadAt)? _discovered;

    public ClientCredentialsTokenSource(string clientName, ClientCredentialsOptions options, TokenClient tokenClient, TimeProvider time, ILogger logger)
    {
        _clientName = clientName;
        Acquirer = this;
        _options = options;
        _tokenClient = tokenClient;
        _time = time;
        _logger = logger;
        _parameters = new Dictionary<string, string>(options.Parameters, StringComparer.Ordinal);
        ApiOrigins = options.ApiOrigins.Select(ApiOrigin.From).ToArray();
        _authenticator = new ClientAuthenticator(clientName, options.ClientId!, options.ClientAuthentication, options.ClientSecret, options.ClientAssertion, time);
        Dpop = DpopProofs.Create(options.Dpop, time);

        var parameters = _parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}");
        string?[] parts =
        [
            options.ClientId, options.Authority?.AbsoluteUri, options.TokenEndpoint?.AbsoluteUri,
            options.Scope, options.Resource, .. parameters,
            // A DPoP-bound token is only good with its key (RFC 9449): the key's thumbprint is part of the token's identity.
            .. Dpop is null ? Array.Empty<string>() : ["dpop_jkt=" + Dpop.Thumbprint],
        ];
        Key = new TokenCacheKey(
            clientName,
            [Interlocked.Increment(ref s_generation).ToString(System.Globalization.CultureInfo.InvariantCulture), .. parts]);
        SharedKey = string.Join('\u001f', [clientName, .. parts]);
    }

    public TokenCacheKey Key { get; }

    /// <summary>Gets what <see cref="Key"/> holds except its per-process generation: the same in every process with these options.</summary>
    public string SharedKey { get; }

    /// <summary>Gets the source the cache acquires tokens through: this one, or a decorator of it.</summary>
    public ITokenSource Acquirer { get; private set; }

    /// <summary>Gets the origins configured to receive the token; empty means the HttpClient's base address.</summary>
    public ApiOrigin[] ApiOrigins { get; }

    /// <summary>Gets the DPoP key and nonces of this client, or <see langword="null"/> when it uses Bearer tokens.</summary>
    public DpopProofs? Dpop { get; }

    public async Task<AccessToken> RequestTokenAsync(CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.TokenRequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        var endpoint = _options.TokenEndpoint ?? _options.Authority!;
        try
        {
            endpoint = await GetTokenEndpointAsync(linked.Token).ConfigureAwait(false);
            if (!Transport.IsSecure(endpoint))
            {
                Log.InsecureTokenEndpoint(_logger, _clientName, endpoint);
            }

            var context = new TokenRequestContext(
                _clientName, endpoint, _options.RefreshBeforeExpiry, _options.DefaultTokenLifetime,
                _options.TokenRequestRetries, _options.TokenRequestRetryDelay, _options.Scope, DpopBound: Dpop is not null);
            return await _tokenClient.RequestAsync(context, this, static (invoker, self, ct) => self.SendAsync(invoker, ct), linked.Token)
                .ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TokenRequestException(
                $"Client '{_clientName}' could not get a token from {endpoint} within {_options.TokenRequestTimeout} (TokenRequestTimeout).",
                _clientName, endpoint, innerException: ex);
        }
    }

    /// <summary>Puts the decorators' wrappers between the cache and this source; called once, before the source is shared.</summary>
    public void Decorate(IEnumerable<ITokenSourceDecorator> decorators)
    {
        foreach (var decorator in decorators)
        {
            Acquirer = decorator.Decorate(_clientName, SharedKey, Acquirer);
        }
    }

    private Task<TokenResponse> SendAsync(HttpMessageInvoker invoker, CancellationToken cancellationToken)
    {
        var endpoint = _options.TokenEndpoint ?? _discovered!.Value.Endpoint;
        return Dpop is null
            ? SendOnceAsync(invoker, endpoint, cancellationToken)
            : Dpop.SendTokenRequestAsync(endpoint, _clientName, _logger, ct => SendOnceAsync(invoker, endpoint, ct), cancellationToken);
    }

    private async Task<TokenResponse> SendOnceAsync(HttpMessageInvoker invoker, Uri endpoint, CancellationToken cancellationToken)
    {
        using var request = new ClientCredentialsTokenRequest { Address = endpoint.AbsoluteUri, Scope = _options.Scope };
        await _authenticator.ApplyAsync(request, endpoint, _discovered?.Issuer ?? _options.Authority?.AbsoluteUri, cancellationToken).ConfigureAwait(false);

        if (Dpop is not null)
        {
            request.DPoPProofToken = Dpop.CreateProof(HttpMethod.Post, endpoint, accessToken: null);
        }

        if (!string.IsNullOrEmpty(_options.Resource))
        {
            request.Resource.Add(_options.Resource);
        }

        foreach (var (name, value) in _parameters)
        {
            request.Parameters.Add(name, value);
        }

        return await invoker.RequestClientCredentialsTokenAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private async Task<Uri> GetTokenEndpointAsync(CancellationToken cancellationToken)
    {
        if (_options.TokenEndpoint is { } explicitEndpoint)
        {
            return explicitEndpoint;
        }

        // Single-flighted by the cache: one acquisition per source runs at a time, so no lock is needed here.
        if (_discovered is { } known && _time.GetUtcNow() - known.ReadAt < ClientCredentialsDefaults.DiscoveryCacheDuration)
        {
            return known.Endpoint;
        }

        var authority = _options.Authority!;
        var context = new TokenRequestContext(
            _clientName, authority, _options.RefreshBeforeExpiry, _options.DefaultTokenLifetime,
            _options.TokenRequestRetries, _options.TokenRequestRetryDelay);
        using var discovery = await _tokenClient.SendWithRetriesAsync(context, DiscoverAsync, cancellationToken).ConfigureAwait(false);

        if (discovery.IsError || !Uri.TryCreate(discovery.TokenEndpoint, UriKind.Absolute, out var endpoint))
        {
            var problem = discovery.IsError ? discovery.Error : "it names no token_endpoint";
            throw new TokenRequestException(
                $"Client '{_clientName}' could not use the discovery document of {authority}: {problem}",
                _clientName, authority, discovery.HttpResponse is null ? null : discovery.HttpStatusCode, innerException: discovery.Exception);
        }

        if (_options.RequireHttps && !Transport.IsSecure(endpoint))
        {
            throw new TokenRequestException(
                $"Client '{_clientName}': the discovery document of {authority} names a token endpoint that is not HTTPS ({endpoint}).",
                _clientName, authority);
        }

        Log.DiscoveredTokenEndpoint(_logger, _clientName, endpoint);
        _discovered = (endpoint, discovery.Issuer, _time.GetUtcNow());
        return endpoint;
    }

    // A request message is sent once: each attempt builds its own.
    private async Task<DiscoveryDocumentResponse> DiscoverAsync(HttpMessageInvoker invoker, CancellationToken cancellationToken)
    {
        using var request = new DiscoveryDocumentRequest
        {
            Address = _options.Authority!.AbsoluteUri,
            Policy = new DiscoveryPolicy { RequireHttps = _options.RequireHttps, AllowHttpOnLoopback = true, RequireKeySet = false },
        };
        return await invoker.GetDiscoveryDocumentAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
