using System.Net;
using Duende.IdentityModel;
using Duende.IdentityModel.Client;
using Microsoft.Extensions.Logging;

namespace OAuthClient.Internal;

/// <summary>The token endpoint's one discovery (RFC 8414 / OpenID Connect): read once, shared, issuer checked, renewed hourly.</summary>
internal sealed partial class TokenEndpoint
{
    // Whether the options name every endpoint the flow needs; their metadata is then made per request rather than kept
    // (an endpoint is kept per configured client, and token requests are rare). Discovery locks on the settings, which
    // this endpoint alone holds, rather than on an object of its own.
    private readonly bool _configured;
    private (Task<ServerMetadata> Server, DateTimeOffset ReadAt)? _discovery;

    /// <summary>Gets the server's endpoints: from the options when they name all that the flow needs, otherwise from discovery.</summary>
    /// <remarks>One discovery at a time, shared by every caller and bounded by its own deadline; a failed one is not kept.</remarks>
    /// <exception cref="TokenRequestException">Discovery failed, or its document is not usable.</exception>
    public Task<ServerMetadata> GetServerAsync(CancellationToken cancellationToken)
    {
        if (_configured)
        {
            return Task.FromResult(Configured(_settings));
        }

        Task<ServerMetadata> discovery;
        lock (_settings)
        {
            if (_discovery is not { } known || known.Server.IsFaulted || known.Server.IsCanceled
                || _time.GetUtcNow() - known.ReadAt >= ProtocolDefaults.DiscoveryCacheDuration)
            {
                known = (DiscoverAsync(), _time.GetUtcNow());
                _discovery = known;
            }

            discovery = known.Server;
        }

        return discovery.WaitAsync(cancellationToken);
    }

    private static ServerMetadata Configured(TokenEndpointSettings settings) => new(
        settings.TokenEndpoint!, settings.AuthorizationEndpoint, settings.RevocationEndpoint, settings.Issuer, settings.Issuer is not null,
        settings.DeviceAuthorizationEndpoint);

    private async Task<ServerMetadata> DiscoverAsync()
    {
        // Shared by every caller, so no caller's token cancels it; TokenRequestTimeout bounds it.
        await Task.Yield();
        var authority = _settings.Authority!;
        using var timeout = new CancellationTokenSource(_settings.TokenRequestTimeout, _time);
        DiscoveryDocumentResponse document;
        try
        {
            var invoker = _backchannel.Invoker;
            document = await Retries<DiscoveryDocumentResponse>().ExecuteAsync(
                static async (s, ct) => await s.Self.ReadDocumentAsync(s.Invoker, ct).ConfigureAwait(false),
                (Self: this, Invoker: invoker),
                timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested)
        {
            throw DiscoveryFailed($"it did not arrive within {_settings.TokenRequestTimeout} (TokenRequestTimeout)", null, ex).Transient();
        }

        using var answered = document;
        if (Backchannel.FollowedRedirect(document.HttpResponse, authority, out var status, out var target))
        {
            throw DiscoveryFailed(
                $"the server answered with a redirect ({(int)status}) to {target ?? "an unnamed location"}, which was not followed; configure the authority's final address",
                status);
        }

        if (document.IsError)
        {
            throw Classified(
                DiscoveryFailed(document.Error ?? "discovery failed", document.HttpResponse is null ? null : document.HttpStatusCode, document.Exception),
                document);
        }

        var token = Endpoint(document.TokenEndpoint, "token_endpoint", _settings.TokenEndpoint, required: true)!;
        var authorize = Endpoint(document.AuthorizeEndpoint, "authorization_endpoint", _settings.AuthorizationEndpoint, _settings.NeedsAuthorizationEndpoint);
        var revocation = Endpoint(document.RevocationEndpoint, "revocation_endpoint", _settings.RevocationEndpoint, required: false);
        var requiresIss = document.TryGetBoolean(OidcConstants.Discovery.AuthorizationResponseIssParameterSupported) == true;
        var device = Endpoint(document.DeviceAuthorizationEndpoint, "device_authorization_endpoint", _settings.DeviceAuthorizationEndpoint, required: false);
        var pushed = Endpoint(document.PushedAuthorizationRequestEndpoint, "pushed_authorization_request_endpoint", configured: null, required: false);
        Log.DiscoveredTokenEndpoint(_logger, ClientName, token);
        return new ServerMetadata(
            token, authorize, revocation, document.Issuer, requiresIss, device, pushed, document.RequirePushedAuthorizationRequests == true);
    }

    // A request message is sent once: each attempt builds its own.
    private async Task<DiscoveryDocumentResponse> ReadDocumentAsync(HttpMessageInvoker invoker, CancellationToken cancellationToken)
    {
        using var request = new DiscoveryDocumentRequest
        {
            Address = _settings.Authority!.AbsoluteUri,
            Policy = new DiscoveryPolicy
            {
                // HTTPS is checked here, for each endpoint when it is read (Endpoint): the policy's own check covers every endpoint
                // of the document, those no flow uses too, and would fail discovery for one of them.
                RequireHttps = false,
                AllowHttpOnLoopback = true,
                RequireKeySet = false,
                // Endpoints a flow may never use are checked here, when read (Endpoint): one the server names badly leaves
                // that feature off instead of failing discovery, and with it every sign-in and refresh of the client.
                EndpointValidationExcludeList = [.. OptionalEndpoints],
            },
        };
        return await invoker.GetDiscoveryDocumentAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private Uri? Endpoint(string? value, string name, Uri? configured, bool required)
    {
        if (configured is not null)
        {
            return configured;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri))
        {
            return required ? throw DiscoveryFailed($"it names no {name}") : null;
        }

        if (!required && OptionalEndpoints.Contains(name) && !(IsAuthorityOrigin(uri) && (!_settings.RequireHttps || Transport.IsSecure(uri))))
        {
            // Not the authority's own HTTPS origin: never used (credentials would go there), and the rest works on.
            Log.OptionalEndpointIgnored(_logger, ClientName, name);
            return null;
        }

        if (_settings.RequireHttps && !Transport.IsSecure(uri))
        {
            throw DiscoveryFailed($"its {name} is not HTTPS ({uri})");
        }

        return uri;
    }

    private static readonly string[] OptionalEndpoints = ["revocation_endpoint", "device_authorization_endpoint", "pushed_authorization_request_endpoint"];

    private bool IsAuthorityOrigin(Uri uri) =>
        _settings.Authority is { } authority
        && string.Equals(uri.Scheme, authority.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(uri.IdnHost, authority.IdnHost, StringComparison.OrdinalIgnoreCase)
        && uri.Port == authority.Port;

    private TokenRequestException DiscoveryFailed(string problem, HttpStatusCode? status = null, Exception? inner = null)
    {
        Log.TokenRequestFailed(_logger, ClientName, _settings.Authority, (int?)status, null);
        return new TokenRequestException(
            $"Client '{ClientName}' could not use the discovery document of {_settings.Authority}: {problem}.",
            ClientName, _settings.Authority, status, innerException: inner);
    }
}
