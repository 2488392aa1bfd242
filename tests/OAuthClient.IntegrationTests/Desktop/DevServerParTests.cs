using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Duende.IdentityModel.Client;
using Microsoft.Extensions.Time.Testing;
using OAuthClient.Samples;

namespace OAuthClient.IntegrationTests.Desktop;

/// <summary>The development server's pushed authorization requests (RFC 9126) for the public client, over plain HTTP.</summary>
public sealed class DevServerParTests : IAsyncLifetime, IDisposable
{
    private const string RedirectUri = "http://127.0.0.1:49733/callback";
    private const string RequestUriPrefix = "urn:ietf:params:oauth:request_uri:";

    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false });
    private readonly string _verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
    private DevAuthorizationServer _server = null!;

    public async Task InitializeAsync() => _server = await DevAuthorizationServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task Discovery_NamesPushedAuthorizationEndpoint_NotRequired()
    {
        using var discovery = await GetDiscoveryAsync(_server);

        Assert.Equal(_server.PushedAuthorizationEndpoint.AbsoluteUri, discovery.RootElement.GetProperty("pushed_authorization_request_endpoint").GetString());
        Assert.False(discovery.RootElement.TryGetProperty("require_pushed_authorization_requests", out var required) && required.GetBoolean());
    }

    [Fact]
    public async Task Push_PublicClient_Answers201RequestUriAndExpiresIn()
    {
        using var response = await _http.PostAsync(_server.PushedAuthorizationEndpoint, new FormUrlEncodedContent(PushedParameters()));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.StartsWith(RequestUriPrefix, body.RootElement.GetProperty("request_uri").GetString(), StringComparison.Ordinal);
        Assert.Equal(60, body.RootElement.GetProperty("expires_in").GetInt32());
        Assert.Equal(1, _server.GetPushedAuthorizationRequestCount());
    }

    [Fact]
    public async Task Authorize_WithRequestUri_RedirectsWithCodeThatRedeems()
    {
        var requestUri = await PushAsync();

        using var authorize = await AuthorizeAsync(requestUri);
        var callback = new AuthorizeResponse(authorize.Headers.Location!.AbsoluteUri);
        var tokens = await _http.RequestAuthorizationCodeTokenAsync(new AuthorizationCodeTokenRequest
        {
            Address = _server.TokenEndpoint.AbsoluteUri,
            ClientId = DevClients.InteractiveClientId,
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
            Code = callback.Code!,
            RedirectUri = RedirectUri,
            CodeVerifier = _verifier,
        });

        Assert.StartsWith(RedirectUri, authorize.Headers.Location!.AbsoluteUri, StringComparison.Ordinal);
        Assert.Equal("par-state", callback.State);
        Assert.Equal(_server.Issuer.AbsoluteUri, Uri.UnescapeDataString(callback.Values["iss"]));
        Assert.False(tokens.IsError, tokens.Error);
        Assert.False(string.IsNullOrEmpty(tokens.AccessToken));
    }

    [Fact]
    public async Task Authorize_RequestUriUsedTwice_SecondIsRefused()
    {
        var requestUri = await PushAsync();
        using var first = await AuthorizeAsync(requestUri);

        using var second = await AuthorizeAsync(requestUri);

        Assert.NotNull(new AuthorizeResponse(first.Headers.Location!.AbsoluteUri).Code);
        Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);
        Assert.Contains("already been used", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authorize_UnknownRequestUri_IsRefused()
    {
        using var authorize = await AuthorizeAsync(RequestUriPrefix + "forged");

        Assert.Equal(HttpStatusCode.BadRequest, authorize.StatusCode);
        Assert.Null(authorize.Headers.Location);
    }

    [Fact]
    public async Task Authorize_ExpiredRequestUri_IsRefused()
    {
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        await using var server = await DevAuthorizationServer.StartAsync(new DevAuthorizationServerOptions { TimeProvider = time });
        var requestUri = await PushAsync(server);
        time.Advance(TimeSpan.FromSeconds(61));

        using var authorize = await AuthorizeAsync(requestUri, server);

        Assert.Equal(HttpStatusCode.BadRequest, authorize.StatusCode);
        Assert.Contains("no longer valid", await authorize.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null(authorize.Headers.Location);
    }

    [Fact]
    public async Task Push_WithClientSecret_IsInvalidClient()
    {
        var parameters = PushedParameters();
        parameters["client_secret"] = "guess";

        using var response = await _http.PostAsync(_server.PushedAuthorizationEndpoint, new FormUrlEncodedContent(parameters));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("invalid_client", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authorize_WithoutRequestUri_WhenRequired_IsRefused()
    {
        await using var server = await DevAuthorizationServer.StartAsync(new DevAuthorizationServerOptions { RequirePushedAuthorizationRequests = true });
        using var discovery = await GetDiscoveryAsync(server);
        var url = new RequestUrl(server.AuthorizationEndpoint.AbsoluteUri).CreateAuthorizeUrl(
            DevClients.InteractiveClientId, "code", DevClients.ApiReadScope, RedirectUri, state: "s",
            codeChallenge: Challenge(), codeChallengeMethod: "S256");

        using var authorize = await _http.GetAsync(new Uri(url));

        Assert.True(discovery.RootElement.GetProperty("require_pushed_authorization_requests").GetBoolean());
        Assert.Equal(HttpStatusCode.BadRequest, authorize.StatusCode);
        Assert.Contains("request_uri", await authorize.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authorize_WithRequestUri_WhenRequired_RedirectsWithCode()
    {
        await using var server = await DevAuthorizationServer.StartAsync(new DevAuthorizationServerOptions { RequirePushedAuthorizationRequests = true });
        var requestUri = await PushAsync(server);

        using var authorize = await AuthorizeAsync(requestUri, server);

        Assert.NotNull(new AuthorizeResponse(authorize.Headers.Location!.AbsoluteUri).Code);
    }

    private Dictionary<string, string> PushedParameters() => new()
    {
        ["client_id"] = DevClients.InteractiveClientId,
        ["response_type"] = "code",
        ["redirect_uri"] = RedirectUri,
        ["scope"] = DevClients.ApiReadScope,
        ["state"] = "par-state",
        ["nonce"] = "par-nonce",
        ["code_challenge"] = Challenge(),
        ["code_challenge_method"] = "S256",
    };

    private async Task<string> PushAsync(DevAuthorizationServer? server = null)
    {
        var response = await _http.PushAuthorizationAsync(new PushedAuthorizationRequest
        {
            Address = (server ?? _server).PushedAuthorizationEndpoint.AbsoluteUri,
            ClientId = DevClients.InteractiveClientId,
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
            ResponseType = "code",
            RedirectUri = RedirectUri,
            Scope = DevClients.ApiReadScope,
            State = "par-state",
            Nonce = "par-nonce",
            CodeChallenge = Challenge(),
            CodeChallengeMethod = "S256",
        });
        Assert.False(response.IsError, response.Error);
        return response.RequestUri!;
    }

    private Task<HttpResponseMessage> AuthorizeAsync(string requestUri, DevAuthorizationServer? server = null) =>
        _http.GetAsync(new Uri(new RequestUrl((server ?? _server).AuthorizationEndpoint.AbsoluteUri).Create(new Parameters
        {
            { "client_id", DevClients.InteractiveClientId },
            { "request_uri", requestUri },
        })));

    private async Task<JsonDocument> GetDiscoveryAsync(DevAuthorizationServer server) =>
        JsonDocument.Parse(await _http.GetStringAsync(new Uri(server.Issuer, ".well-known/openid-configuration")));

    private string Challenge() => Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(_verifier)));

    private static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);
}
