using Duende.IdentityModel;
using Duende.IdentityModel.Client;

namespace OAuthClient.Desktop;

/// <summary>Finds the endpoints: from the options when set, otherwise from the authority's discovery document, read once an hour.</summary>
internal sealed class AuthorizationServerResolver
{
    private readonly string _name;
    private readonly InteractiveSignInOptions _options;
    private readonly TokenClient _tokenClient;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private (Task<AuthorizationServer> Server, DateTimeOffset ReadAt)? _discovery;

    public AuthorizationServerResolver(string name, InteractiveSignInOptions options, TokenClient tokenClient, TimeProvider time)
    {
        _name = name;
        _options = options;
        _tokenClient = tokenClient;
        _time = time;
    }

    public async Task<AuthorizationServer> GetAsync(CancellationToken cancellationToken)
    {
        if (_options.AuthorizationEndpoint is { } authorize && _options.TokenEndpoint is { } token)
        {
            return new AuthorizationServer(authorize, token, _options.RevocationEndpoint, _options.Issuer, _options.Issuer is not null);
        }

        // One discovery at a time, shared by all callers; a failed one is not kept.
        Task<AuthorizationServer> discovery;
        lock (_gate)
        {
            if (_discovery is not { } known || known.Server.IsFaulted || known.Server.IsCanceled
                || _time.GetUtcNow() - known.ReadAt >= InteractiveSignInDefaults.DiscoveryCacheDuration)
            {
                known = (DiscoverAsync(), _time.GetUtcNow());
                _discovery = known;
            }

            discovery = known.Server;
        }

        return await discovery.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<AuthorizationServer> DiscoverAsync()
    {
        // Shared by every caller, so no caller's token cancels it; the token request timeout bounds it.
        using var timeout = new CancellationTokenSource(_options.TokenRequestTimeout, _time);
        var cancellationToken = timeout.Token;
        var authority = _options.Authority!;
        using var discovery = await _tokenClient.CreateInvoker().GetDiscoveryDocumentAsync(
            new DiscoveryDocumentRequest
            {
                Address = authority.AbsoluteUri,
                Policy = new DiscoveryPolicy { RequireHttps = _options.RequireHttps, AllowHttpOnLoopback = true, RequireKeySet = false },
            },
            cancellationToken).ConfigureAwait(false);

        if (discovery.IsError)
        {
            throw Fail(discovery.Error ?? "discovery failed", discovery.HttpResponse is null ? null : discovery.HttpStatusCode, discovery.Exception);
        }

        var authorize = Endpoint(discovery.AuthorizeEndpoint, "authorization_endpoint", _options.AuthorizationEndpoint);
        var token = Endpoint(discovery.TokenEndpoint, "token_endpoint", _options.TokenEndpoint);
        var revocation = _options.RevocationEndpoint
            ?? (Uri.TryCreate(discovery.RevocationEndpoint, UriKind.Absolute, out var r) && Transport.IsSecure(r) ? r : null);
        var requiresIss = discovery.TryGetBoolean(OidcConstants.Discovery.AuthorizationResponseIssParameterSupported) == true;
        return new AuthorizationServer(authorize, token, revocation, discovery.Issuer, requiresIss);
    }

    private Uri Endpoint(string? value, string name, Uri? configured)
    {
        if (configured is not null)
        {
            return configured;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri))
        {
            throw Fail($"it names no {name}");
        }

        if (_options.RequireHttps && !Transport.IsSecure(uri))
        {
            throw Fail($"its {name} is not HTTPS ({uri})");
        }

        return uri;
    }

    private TokenRequestException Fail(string problem, System.Net.HttpStatusCode? status = null, Exception? inner = null) =>
        new($"Client '{_name}' could not use the discovery document of {_options.Authority}: {problem}.",
            _name, _options.Authority, status, innerException: inner);
}
