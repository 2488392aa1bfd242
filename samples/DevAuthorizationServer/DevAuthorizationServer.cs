using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace OAuthClient.Samples;

/// <summary>
/// A development OAuth 2.0 authorization server (OpenIddict), a demo protected API and a downstream API for exchanged
/// tokens, each on its own 127.0.0.1 port, for samples and integration tests. Plain HTTP, ephemeral keys, fixed clients:
/// never for production.
/// </summary>
public sealed class DevAuthorizationServer : IAsyncDisposable
{
    private readonly DevAuthorizationServerOptions _options;
    private readonly TokenLedger _ledger = new();
    private readonly RsaSecurityKey _signingKey = new(RSA.Create(2048));
    private readonly SymmetricSecurityKey _encryptionKey = new(RandomNumberGenerator.GetBytes(32));
    private readonly RSA _keyClientKey = RSA.Create(2048);
    private readonly DevDpop _dpop;
    private readonly DevDeviceFlow _deviceFlow;
    private readonly DevPushedAuthorization _pushedAuthorization;
    private readonly DevRevocation _revocation;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private WebApplication? _authorizationServer;
    private WebApplication? _api;
    private WebApplication? _downstreamApi;

    private DevAuthorizationServer(DevAuthorizationServerOptions options)
    {
        _options = options;
        _dpop = new DevDpop(options);
        _deviceFlow = new DevDeviceFlow(options);
        _pushedAuthorization = new DevPushedAuthorization(options);
        _revocation = new DevRevocation(_ledger);
    }

    /// <summary>Gets the private key of <see cref="DevClients.KeyClientId"/> as a JSON Web Key (RS256), made at start: for samples and tests only.</summary>
    public string KeyClientJwk => PrivateJwk(_keyClientKey.ExportParameters(includePrivateParameters: true));

    /// <summary>Gets how many DPoP requests the token endpoint and the API refused with <c>use_dpop_nonce</c>.</summary>
    public int DpopNonceRequiredCount => _dpop.NonceRequiredCount;

    /// <summary>Gets the issuer, whose discovery document is at <c>.well-known/openid-configuration</c>.</summary>
    public Uri Issuer { get; private set; } = null!;

    /// <summary>Gets the token endpoint.</summary>
    public Uri TokenEndpoint => new(Issuer, AuthorizationServerApp.TokenPath);

    /// <summary>Gets the authorization endpoint, which signs in <see cref="DevClients.TestUserSubject"/> without a form.</summary>
    public Uri AuthorizationEndpoint => new(Issuer, AuthorizationServerApp.AuthorizationPath);

    /// <summary>Gets the device authorization endpoint (RFC 8628 §3.1), for <see cref="DevClients.InteractiveClientId"/>.</summary>
    public Uri DeviceAuthorizationEndpoint => new(Issuer, DevDeviceFlow.DeviceAuthorizationPath);

    /// <summary>Gets the pushed authorization request endpoint (RFC 9126 §2), for <see cref="DevClients.InteractiveClientId"/>.</summary>
    public Uri PushedAuthorizationEndpoint => new(Issuer, DevPushedAuthorization.PushedAuthorizationPath);

    /// <summary>Gets the revocation endpoint (RFC 7009 §2), for every client, each revoking only its own access and refresh tokens.</summary>
    public Uri RevocationEndpoint => new(Issuer, DevRevocation.RevocationPath);

    /// <summary>Gets the verification page (<c>verification_uri</c>), where the user approves or denies a user code.</summary>
    public Uri VerificationEndpoint => new(Issuer, DevDeviceFlow.VerificationPath);

    /// <summary>Gets the base address of the demo API, which serves <c>GET /whoami</c>.</summary>
    public Uri ApiBaseAddress { get; private set; } = null!;

    /// <summary>Gets the base address of the downstream API, which serves <c>GET /downstream/whoami</c> to tokens for <see cref="DevClients.DownstreamAudience"/>.</summary>
    /// <remarks>Its tokens come from token exchange (RFC 8693) by <see cref="DevClients.ServiceClientId"/>; it answers <see cref="DownstreamWhoAmI"/>.</remarks>
    public Uri DownstreamApiBaseAddress { get; private set; } = null!;

    /// <summary>Gets how long the access tokens live.</summary>
    public TimeSpan AccessTokenLifetime => _options.AccessTokenLifetime;

    /// <summary>Gets how many times the demo API and the downstream API answered 401.</summary>
    public int ApiUnauthorizedCount => _ledger.UnauthorizedCount;

    /// <summary>Starts the authorization server, the demo API and the downstream API.</summary>
    /// <param name="options">The settings; the defaults when omitted.</param>
    /// <param name="cancellationToken">Stops the start.</param>
    /// <returns>The running server; dispose it to stop the three apps.</returns>
    public static async Task<DevAuthorizationServer> StartAsync(DevAuthorizationServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        var server = new DevAuthorizationServer(options ?? new DevAuthorizationServerOptions());
        try
        {
            await server.StartAuthorizationServerAsync(server._options.AuthorizationServerPort, cancellationToken);
            server._api = DemoApiApp.Build(server._options, server._options.ApiPort, server.Issuer, server._ledger, server._dpop);
            server.ApiBaseAddress = await StartAppAsync(server._api, cancellationToken);
            server._downstreamApi = DownstreamApiApp.Build(server._options, server._options.DownstreamApiPort, server.Issuer, server._ledger, server._dpop);
            server.DownstreamApiBaseAddress = await StartAppAsync(server._downstreamApi, cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Gets how many token requests the server received from a client, failed ones included.</summary>
    /// <param name="clientId">The client id, such as <see cref="DevClients.WorkerClientId"/>.</param>
    /// <returns>The count since the server was first started.</returns>
    public int GetTokenRequestCount(string clientId) => _ledger.TokenRequests(clientId);

    /// <summary>Gets how many token exchange requests (RFC 8693) the server received from a client, failed ones included.</summary>
    /// <param name="clientId">The client id, such as <see cref="DevClients.ServiceClientId"/> or one of its aliases.</param>
    /// <returns>The count since the server was first started; <see cref="GetTokenRequestCount"/> counts them too.</returns>
    public int GetTokenExchangeRequestCount(string clientId) => _ledger.TokenExchangeRequests(clientId);

    /// <summary>Gets how many requests the pushed authorization request endpoint received, refused ones included.</summary>
    /// <returns>The count since the server was first started.</returns>
    public int GetPushedAuthorizationRequestCount() => _pushedAuthorization.Count;

    /// <summary>Gets how many tokens the revocation endpoint revoked; a token sent again, refused requests and tokens not revoked are not counted.</summary>
    /// <returns>The count since the server was first started.</returns>
    public int GetRevocationCount() => _revocation.Count;

    /// <summary>Approves or denies a device's user code as the verification page's buttons do, over HTTP, so tests need no browser.</summary>
    /// <param name="userCode">The <c>user_code</c> from the device authorization response.</param>
    /// <param name="approve">Approves (signs in <see cref="DevClients.TestUserSubject"/>) when <see langword="true"/>; denies otherwise.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    /// <returns>A task that completes when the page has answered.</returns>
    /// <exception cref="HttpRequestException">The page refused the code (unknown, expired or already used).</exception>
    public async Task ApproveDeviceAsync(string userCode, bool approve = true, CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient();
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["user_code"] = userCode,
            [approve ? "approve" : "deny"] = "1",
        });
        using var response = await http.PostAsync(VerificationEndpoint, form, cancellationToken);
        var page = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode || !page.Contains("id=\"result\"", StringComparison.Ordinal))
        {
            throw new HttpRequestException($"The verification page refused the code ({(int)response.StatusCode}).", null, response.StatusCode);
        }
    }

    /// <summary>Makes the API reject every access token issued so far, as if they had been revoked.</summary>
    /// <remarks>Tokens issued afterwards are accepted. Both APIs answer 401 <c>invalid_token</c> to revoked tokens, and a token exchange with one is <c>invalid_grant</c>.</remarks>
    public void RevokeIssuedAccessTokens() => _ledger.RevokeAllIssued();

    /// <summary>Stops the authorization server; the APIs keep running. Its port stays reserved for <see cref="RestartAuthorizationServerAsync"/>.</summary>
    /// <param name="cancellationToken">Stops the wait for a graceful stop.</param>
    /// <returns>A task that completes when the server no longer listens.</returns>
    public async Task StopAuthorizationServerAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_authorizationServer is { } app)
            {
                _authorizationServer = null;
                await app.StopAsync(cancellationToken);
                await app.DisposeAsync();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Starts the authorization server again on the same port, with the same keys and counters.</summary>
    /// <param name="cancellationToken">Stops the start.</param>
    /// <returns>A task that completes when the server listens again.</returns>
    public async Task RestartAuthorizationServerAsync(CancellationToken cancellationToken = default)
    {
        await StopAuthorizationServerAsync(cancellationToken);
        await StartAuthorizationServerAsync(Issuer.Port, cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await StopAuthorizationServerAsync();
        foreach (var api in (WebApplication?[])[_api, _downstreamApi])
        {
            if (api is not null)
            {
                await api.StopAsync();
                await api.DisposeAsync();
            }
        }

        _api = null;
        _downstreamApi = null;

        _signingKey.Rsa?.Dispose();
        _keyClientKey.Dispose();
        _gate.Dispose();
    }

    private async Task StartAuthorizationServerAsync(int port, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var app = AuthorizationServerApp.Build(
                _options, port, _signingKey, _encryptionKey, _ledger, new RsaSecurityKey(_keyClientKey.ExportParameters(includePrivateParameters: false)), _dpop, _deviceFlow, _pushedAuthorization, _revocation);
            try
            {
                Issuer = await StartAppAsync(app, cancellationToken);
            }
            catch
            {
                await app.DisposeAsync();
                throw;
            }

            _authorizationServer = app;
        }
        finally
        {
            _gate.Release();
        }
    }

    private static string PrivateJwk(RSAParameters p)
    {
        static string E(byte[]? value) => Base64UrlEncoder.Encode(value);
        return $$"""{"kty":"RSA","kid":"worker-jwt-1","n":"{{E(p.Modulus)}}","e":"{{E(p.Exponent)}}","d":"{{E(p.D)}}","p":"{{E(p.P)}}","q":"{{E(p.Q)}}","dp":"{{E(p.DP)}}","dq":"{{E(p.DQ)}}","qi":"{{E(p.InverseQ)}}"}""";
    }

    private static async Task<Uri> StartAppAsync(WebApplication app, CancellationToken cancellationToken)
    {
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new Uri(address.EndsWith('/') ? address : address + "/");
    }
}
