using System.Net;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OAuthClient.Tests.Support;

namespace OAuthClient.Tests.ClientCredentials;

public sealed class ClientCredentialsTests
{
    private readonly TokenEndpointStub _tokenEndpoint = new();
    private readonly ApiStub _api = new();

    [Fact]
    public async Task CreateHandler_PlainHttpClient_FetchesOnceAttachesAndRenewsOn401()
    {
        var options = Options();
        var calls = 0;
        _api.Respond = _ => Interlocked.Increment(ref calls) == 2 ? ApiStub.Unauthorized() : new HttpResponseMessage(HttpStatusCode.OK);
        using var client = new HttpClient(OAuthClient.ClientCredentials.CreateHandler(options, _api.Handler, _tokenEndpoint.Handler, new FakeTimeProvider()))
        {
            BaseAddress = ApiStub.BaseAddress,
        };

        (await client.GetAsync("orders/1")).Dispose();
        (await client.GetAsync("orders/2")).Dispose();

        Assert.Equal(["access-token-1", "access-token-1", "access-token-2"], _api.Calls.Select(c => c.Token));
        Assert.Equal(2, _tokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task CreateHandler_Dpop_SendsDpopTokenWithProof()
    {
        var options = Options();
        options.Dpop.Enabled = true;
        _tokenEndpoint.TokenType = "DPoP";
        using var client = new HttpClient(OAuthClient.ClientCredentials.CreateHandler(options, _api.Handler, _tokenEndpoint.Handler, new FakeTimeProvider()))
        {
            BaseAddress = ApiStub.BaseAddress,
        };

        (await client.GetAsync("orders/1")).Dispose();

        var call = Assert.Single(_api.Calls);
        Assert.Equal("DPoP", call.Scheme);
        Assert.NotNull(call.Dpop);
        Assert.NotNull(Assert.Single(_tokenEndpoint.Requests).Dpop);
    }

    [Fact]
    public void CreateHandler_Dpop_TurnsOffAutomaticRedirectsOfInnerHandler()
    {
        var options = Options();
        options.Dpop.Enabled = true;
        using var inner = new SocketsHttpHandler();

        using var handler = OAuthClient.ClientCredentials.CreateHandler(options, inner);

        Assert.False(inner.AllowAutoRedirect);
    }

    [Fact]
    public void CreateHandler_DpopWithDelegatingInnerHandler_TurnsOffAutomaticRedirectsOfTheTransport()
    {
        var options = Options();
        options.Dpop.Enabled = true;
        using var transport = new SocketsHttpHandler();

        using var handler = OAuthClient.ClientCredentials.CreateHandler(options, new PassThroughHandler(transport));

        Assert.False(transport.AllowAutoRedirect);
    }

    [Fact]
    public void CreateHandler_Bearer_LeavesAutomaticRedirectsOn()
    {
        using var inner = new SocketsHttpHandler();

        using var handler = OAuthClient.ClientCredentials.CreateHandler(Options(), inner);

        Assert.True(inner.AllowAutoRedirect);
    }

    [Fact]
    public void CreateHandler_NoApiOrigins_ThrowsNamingTheSetting()
    {
        var options = Options();
        options.ApiOrigins.Clear();

        var error = Assert.Throws<OptionsValidationException>(() => OAuthClient.ClientCredentials.CreateHandler(options));

        Assert.Contains(error.Failures, f => f.Contains("ApiOrigins", StringComparison.Ordinal));
    }

    [Fact]
    public void CreateHandler_InvalidOptions_ReportsEveryProblem()
    {
        var options = Options();
        options.ClientId = null;
        options.TokenEndpoint = null;

        var error = Assert.Throws<OptionsValidationException>(() => OAuthClient.ClientCredentials.CreateHandler(options));

        Assert.Contains(error.Failures, f => f.Contains("ClientId", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("TokenEndpoint", StringComparison.Ordinal));
    }

    private static ClientCredentialsOptions Options()
    {
        var options = new ClientCredentialsOptions();
        TestServices.Defaults(options);
        options.ApiOrigins.Add(ApiStub.BaseAddress);
        return options;
    }

    private sealed class PassThroughHandler(HttpMessageHandler inner) : DelegatingHandler(inner);
}
