using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Duende.IdentityModel;
using Duende.IdentityModel.Client;
using Microsoft.Extensions.Time.Testing;
using OAuthClient.Samples;

namespace OAuthClient.IntegrationTests.Desktop;

/// <summary>The development server's device authorization grant (RFC 8628) for the public client, over plain HTTP.</summary>
public sealed class DevServerDeviceFlowTests : IAsyncLifetime, IDisposable
{
    private const string Scope = DevClients.ApiReadScope + " offline_access";

    private readonly FakeTimeProvider _time = new(TimeProvider.System.GetUtcNow());
    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false });
    private DevAuthorizationServer _server = null!;

    public async Task InitializeAsync() => _server = await DevAuthorizationServer.StartAsync(new DevAuthorizationServerOptions
    {
        DeviceCodeInterval = TimeSpan.FromSeconds(1),
        DeviceCodeLifetime = TimeSpan.FromMinutes(2),
        TimeProvider = _time,
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task Discovery_NamesDeviceAuthorizationEndpoint()
    {
        var discovery = await _http.GetDiscoveryDocumentAsync(new DiscoveryDocumentRequest
        {
            Address = _server.Issuer.AbsoluteUri,
            Policy = { RequireHttps = false },
        });

        Assert.False(discovery.IsError, discovery.Error);
        Assert.Equal(_server.DeviceAuthorizationEndpoint.AbsoluteUri, discovery.DeviceAuthorizationEndpoint);
        Assert.Contains(OidcConstants.GrantTypes.DeviceCode, discovery.GrantTypesSupported);
    }

    [Fact]
    public async Task RequestDeviceAuthorization_PublicClient_AnswersCodesIntervalAndVerificationUris()
    {
        var device = await AuthorizeDeviceAsync();

        Assert.False(string.IsNullOrEmpty(device.DeviceCode));
        Assert.False(string.IsNullOrEmpty(device.UserCode));
        Assert.Equal(1, device.Interval);
        Assert.Equal(_server.VerificationEndpoint.AbsoluteUri, device.VerificationUri);
        Assert.StartsWith(_server.VerificationEndpoint.AbsoluteUri + "?user_code=", device.VerificationUriComplete, StringComparison.Ordinal);
        Assert.InRange(device.ExpiresIn!.Value, 1, 120);
    }

    [Fact]
    public async Task RequestDeviceToken_BeforeApproval_IsAuthorizationPending()
    {
        var device = await AuthorizeDeviceAsync();

        var tokens = await PollAsync(device.DeviceCode!);

        Assert.True(tokens.IsError);
        Assert.Equal(OidcConstants.TokenErrors.AuthorizationPending, tokens.Error);
    }

    [Fact]
    public async Task RequestDeviceToken_AfterApproval_IssuesTokensForTheTestUser()
    {
        var device = await AuthorizeDeviceAsync();
        var pending = await PollAsync(device.DeviceCode!);

        await _server.ApproveDeviceAsync(device.UserCode!);
        _time.Advance(TimeSpan.FromSeconds(1));
        var tokens = await PollAsync(device.DeviceCode!);
        var whoami = await WhoAmIAsync(tokens.AccessToken!);

        Assert.Equal(OidcConstants.TokenErrors.AuthorizationPending, pending.Error);
        Assert.False(tokens.IsError, tokens.Error);
        Assert.False(string.IsNullOrEmpty(tokens.RefreshToken));
        Assert.Equal(DevClients.TestUserSubject, whoami.Subject);
        Assert.Equal(DevClients.InteractiveClientId, whoami.ClientId);
        Assert.Contains(DevClients.ApiReadScope, whoami.Scopes);
        Assert.Equal(2, _server.GetTokenRequestCount(DevClients.InteractiveClientId));
    }

    [Fact]
    public async Task RequestDeviceToken_WithoutOfflineAccess_IssuesNoRefreshToken()
    {
        var device = await AuthorizeDeviceAsync(DevClients.ApiReadScope);
        await _server.ApproveDeviceAsync(device.UserCode!);

        var tokens = await PollAsync(device.DeviceCode!);

        Assert.False(tokens.IsError, tokens.Error);
        Assert.True(string.IsNullOrEmpty(tokens.RefreshToken));
    }

    [Fact]
    public async Task RequestDeviceToken_AfterDeny_IsAccessDenied()
    {
        var device = await AuthorizeDeviceAsync();

        await _server.ApproveDeviceAsync(device.UserCode!, approve: false);
        var tokens = await PollAsync(device.DeviceCode!);

        Assert.Equal(OidcConstants.TokenErrors.AccessDenied, tokens.Error);
    }

    [Fact]
    public async Task RequestDeviceToken_AfterLifetime_IsExpiredToken()
    {
        var device = await AuthorizeDeviceAsync();

        _time.Advance(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(1));
        var tokens = await PollAsync(device.DeviceCode!);

        Assert.Equal(OidcConstants.TokenErrors.ExpiredToken, tokens.Error);
    }

    [Fact]
    public async Task RequestDeviceToken_RedeemedCode_IsInvalidGrant()
    {
        var device = await AuthorizeDeviceAsync();
        await _server.ApproveDeviceAsync(device.UserCode!);
        var first = await PollAsync(device.DeviceCode!);
        _time.Advance(TimeSpan.FromSeconds(1));

        var second = await PollAsync(device.DeviceCode!);

        Assert.False(first.IsError, first.Error);
        Assert.Equal(OidcConstants.TokenErrors.InvalidGrant, second.Error);
    }

    [Fact]
    public async Task RequestDeviceToken_SoonerThanInterval_IsSlowDown()
    {
        var device = await AuthorizeDeviceAsync();
        await PollAsync(device.DeviceCode!);

        _time.Advance(TimeSpan.FromMilliseconds(500));
        var tokens = await PollAsync(device.DeviceCode!);

        Assert.Equal(OidcConstants.TokenErrors.SlowDown, tokens.Error);
    }

    [Fact]
    public async Task RequestDeviceToken_AfterInterval_IsPendingAgain()
    {
        var device = await AuthorizeDeviceAsync();
        await PollAsync(device.DeviceCode!);

        _time.Advance(TimeSpan.FromSeconds(1));
        var tokens = await PollAsync(device.DeviceCode!);

        Assert.Equal(OidcConstants.TokenErrors.AuthorizationPending, tokens.Error);
    }

    [Fact]
    public async Task ApproveDeviceAsync_CodeTypedLowercaseWithDash_Approves()
    {
        var device = await AuthorizeDeviceAsync();
        var typed = device.UserCode!.ToLowerInvariant().Insert(4, "-");

        await _server.ApproveDeviceAsync(typed);
        var tokens = await PollAsync(device.DeviceCode!);

        Assert.False(tokens.IsError, tokens.Error);
    }

    [Fact]
    public async Task ApproveDeviceAsync_ExpiredCode_Throws()
    {
        var device = await AuthorizeDeviceAsync();

        _time.Advance(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(1));

        await Assert.ThrowsAsync<HttpRequestException>(() => _server.ApproveDeviceAsync(device.UserCode!));
    }

    [Fact]
    public async Task RequestDeviceToken_OtherClientsDeviceCode_IsRefusedAndLeftToItsClient()
    {
        var device = await AuthorizeDeviceAsync();
        await _server.ApproveDeviceAsync(device.UserCode!);

        var stolen = await _http.RequestDeviceTokenAsync(new DeviceTokenRequest
        {
            Address = _server.TokenEndpoint.AbsoluteUri,
            ClientId = DevClients.WorkerClientId,
            ClientSecret = DevClients.WorkerClientSecret,
            DeviceCode = device.DeviceCode!,
        });
        var tokens = await PollAsync(device.DeviceCode!);

        Assert.True(stolen.IsError);
        Assert.True(string.IsNullOrEmpty(stolen.AccessToken));
        Assert.False(tokens.IsError, tokens.Error);
    }

    [Fact]
    public async Task RequestDeviceToken_ForgedDeviceCode_IsInvalidGrant()
    {
        var tokens = await PollAsync("forged-device-code");

        Assert.Equal(OidcConstants.TokenErrors.InvalidGrant, tokens.Error);
    }

    [Fact]
    public async Task ApproveDeviceAsync_UsedCode_Throws()
    {
        var device = await AuthorizeDeviceAsync();
        await _server.ApproveDeviceAsync(device.UserCode!);

        await Assert.ThrowsAsync<HttpRequestException>(() => _server.ApproveDeviceAsync(device.UserCode!));
    }

    [Fact]
    public async Task ApproveDeviceAsync_UnknownCode_Throws()
    {
        await Assert.ThrowsAsync<HttpRequestException>(() => _server.ApproveDeviceAsync("000000000000"));
    }

    [Fact]
    public async Task RequestDeviceAuthorization_ConfidentialClient_IsRefused()
    {
        var device = await _http.RequestDeviceAuthorizationAsync(new DeviceAuthorizationRequest
        {
            Address = _server.DeviceAuthorizationEndpoint.AbsoluteUri,
            ClientId = DevClients.WorkerClientId,
            ClientSecret = DevClients.WorkerClientSecret,
            Scope = DevClients.ApiReadScope,
        });

        // 401 with invalid_client in the body: Duende.IdentityModel reports the status, not the body, for a 401 here.
        Assert.Equal(HttpStatusCode.Unauthorized, device.HttpStatusCode);
        Assert.Contains(OidcConstants.TokenErrors.InvalidClient, device.Raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerificationPage_CompleteUri_PrefillsTheCodeBesideApproveAndDeny()
    {
        var device = await AuthorizeDeviceAsync();

        using var response = await _http.GetAsync(new Uri(device.VerificationUriComplete!));
        var page = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"value=\"{device.UserCode}\"", page, StringComparison.Ordinal);
        Assert.Contains("id=\"approve\"", page, StringComparison.Ordinal);
        Assert.Contains("id=\"deny\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerificationPage_PostWithoutAButton_LeavesTheCodePending()
    {
        var device = await AuthorizeDeviceAsync();
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["user_code"] = device.UserCode! });

        using var response = await _http.PostAsync(_server.VerificationEndpoint, form);
        var tokens = await PollAsync(device.DeviceCode!);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(OidcConstants.TokenErrors.AuthorizationPending, tokens.Error);
    }

    [Fact]
    public async Task VerificationPage_HostileCode_IsHtmlEncoded()
    {
        using var response = await _http.GetAsync(new Uri(_server.VerificationEndpoint, "?user_code=%22%3E%3Cscript%3Ex%3C%2Fscript%3E"));
        var page = await response.Content.ReadAsStringAsync();

        Assert.DoesNotContain("<script>", page, StringComparison.Ordinal);
    }

    private async Task<DeviceAuthorizationResponse> AuthorizeDeviceAsync(string scope = Scope)
    {
        var device = await _http.RequestDeviceAuthorizationAsync(new DeviceAuthorizationRequest
        {
            Address = _server.DeviceAuthorizationEndpoint.AbsoluteUri,
            ClientId = DevClients.InteractiveClientId,
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
            Scope = scope,
        });
        Assert.False(device.IsError, device.Error);
        return device;
    }

    private Task<TokenResponse> PollAsync(string deviceCode) =>
        _http.RequestDeviceTokenAsync(new DeviceTokenRequest
        {
            Address = _server.TokenEndpoint.AbsoluteUri,
            ClientId = DevClients.InteractiveClientId,
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
            DeviceCode = deviceCode,
        });

    private async Task<WhoAmI> WhoAmIAsync(string accessToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_server.ApiBaseAddress, "whoami"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await _http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<WhoAmI>())!;
    }
}
