using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using OAuthClient.Tests.Support;
using RichardSzalay.MockHttp;

namespace OAuthClient.Tests.ClientAssertions;

public sealed class PrivateKeyJwtTests : IDisposable
{
    private readonly TestServices _services = new();
    private readonly RSA _rsa = TestKeys.Rsa();

    public void Dispose()
    {
        _services.Dispose();
        _rsa.Dispose();
    }

    [Fact]
    public async Task GetTokenAsync_PrivateKeyJwt_SendsAssertionWithEveryClaim()
    {
        UseKey(o => o.ClientAssertion.Jwk = TestKeys.PrivateJwk(_rsa));

        await _services.TokenProvider.GetTokenAsync(TestServices.ClientName);

        var request = Assert.Single(_services.TokenEndpoint.Requests);
        Assert.Equal("urn:ietf:params:oauth:client-assertion-type:jwt-bearer", request.Fields["client_assertion_type"]);
        var jwt = await TestKeys.ValidateAsync(request.Fields["client_assertion"], new RsaSecurityKey(_rsa.ExportParameters(false)), "client-authentication+jwt", "RS256");
        var now = _services.Time.GetUtcNow().ToUnixTimeSeconds();
        Assert.Equal(TestServices.ClientId, jwt.Issuer);
        Assert.Equal(TestServices.ClientId, jwt.Subject);
        Assert.Equal([TokenEndpointStub.Endpoint.AbsoluteUri], jwt.Audiences);
        Assert.Equal(now, jwt.GetPayloadValue<long>("iat"));
        Assert.Equal(now + 60, jwt.GetPayloadValue<long>("exp"));
        Assert.False(string.IsNullOrEmpty(jwt.Id));
        Assert.Equal("rsa-key-1", jwt.Kid);
    }

    [Fact]
    public async Task GetTokenAsync_PrivateKeyJwt_SendsNoSecretInAnyStyle()
    {
        UseKey(o => o.ClientAssertion.Jwk = TestKeys.PrivateJwk(_rsa));

        await _services.TokenProvider.GetTokenAsync(TestServices.ClientName);

        var request = Assert.Single(_services.TokenEndpoint.Requests);
        Assert.Null(request.Authorization);
        Assert.False(request.Fields.ContainsKey("client_secret"));
        Assert.DoesNotContain(TestServices.ClientSecret, request.Form, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTokenAsync_TransientFailureRetried_EachAttemptHasNewJti()
    {
        UseKey(o => o.ClientAssertion.Jwk = TestKeys.PrivateJwk(_rsa));
        _services.TokenEndpoint.Then(() => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));

        await _services.TokenProvider.GetTokenAsync(TestServices.ClientName);

        var ids = _services.TokenEndpoint.Requests.Select(r => new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(r.Fields["client_assertion"]).Id).ToArray();
        Assert.Equal(2, ids.Length);
        Assert.NotEqual(ids[0], ids[1]);
    }

    [Fact]
    public async Task GetTokenAsync_EcKeyInCode_SignsEs256()
    {
        using var ecdsa = TestKeys.EcP256();
        UseKey(keys: k => k.ClientAssertionKey = new ECDsaSecurityKey(ecdsa) { KeyId = "ec-1" });

        await _services.TokenProvider.GetTokenAsync(TestServices.ClientName);

        var assertion = Assert.Single(_services.TokenEndpoint.Requests).Fields["client_assertion"];
        var jwt = await TestKeys.ValidateAsync(assertion, new ECDsaSecurityKey(ECDsa.Create(ecdsa.ExportParameters(false))), "client-authentication+jwt", "ES256");
        Assert.Equal("ec-1", jwt.Kid);
    }

    [Fact]
    public async Task GetTokenAsync_RsaKeyPs256_SignsPs256()
    {
        UseKey(o => o.ClientAssertion.Algorithm = "PS256", k => k.ClientAssertionKey = new RsaSecurityKey(_rsa) { KeyId = "ps" });

        await _services.TokenProvider.GetTokenAsync(TestServices.ClientName);

        var assertion = Assert.Single(_services.TokenEndpoint.Requests).Fields["client_assertion"];
        await TestKeys.ValidateAsync(assertion, new RsaSecurityKey(_rsa.ExportParameters(false)), "client-authentication+jwt", "PS256");
    }

    [Fact]
    public async Task GetTokenAsync_Certificate_KidIsThumbprintAndX5tSet()
    {
        using var certificate = TestKeys.Certificate(_rsa);
        UseKey(keys: k => k.ClientAssertionCertificate = certificate);

        await _services.TokenProvider.GetTokenAsync(TestServices.ClientName);

        var assertion = Assert.Single(_services.TokenEndpoint.Requests).Fields["client_assertion"];
        var jwt = await TestKeys.ValidateAsync(assertion, new X509SecurityKey(certificate), "client-authentication+jwt", "RS256");
        Assert.Equal(certificate.Thumbprint, jwt.Kid);
        Assert.Equal(Base64UrlEncoder.Encode(certificate.GetCertHash()), jwt.X5t);
    }

    [Fact]
    public async Task GetTokenAsync_KeyWithoutKid_KidIsJwkThumbprint()
    {
        UseKey(o => o.ClientAssertion.Jwk = TestKeys.PrivateJwk(_rsa, kid: null));

        await _services.TokenProvider.GetTokenAsync(TestServices.ClientName);

        var assertion = Assert.Single(_services.TokenEndpoint.Requests).Fields["client_assertion"];
        var expected = Base64UrlEncoder.Encode(new RsaSecurityKey(_rsa.ExportParameters(false)).ComputeJwkThumbprint());
        Assert.Equal(expected, new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(assertion).Kid);
    }

    [Fact]
    public async Task GetTokenAsync_AudienceIssuer_UsesDiscoveredIssuer()
    {
        _services.TokenEndpoint.Handler
            .When(HttpMethod.Get, "https://login.example.com/.well-known/openid-configuration")
            .Respond("application/json", """{"issuer":"https://login.example.com","token_endpoint":"https://login.example.com/connect/token"}""");
        UseKey(o =>
        {
            o.TokenEndpoint = null;
            o.Authority = TokenEndpointStub.Authority;
            o.ClientAssertion.Jwk = TestKeys.PrivateJwk(_rsa);
            o.ClientAssertion.Audience = ClientAssertionAudience.Issuer;
        });

        await _services.TokenProvider.GetTokenAsync(TestServices.ClientName);

        var assertion = Assert.Single(_services.TokenEndpoint.Requests).Fields["client_assertion"];
        Assert.Equal(["https://login.example.com"], new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(assertion).Audiences);
    }

    [Fact]
    public async Task GetTokenAsync_Factory_SendsItsAssertionWithContext()
    {
        var factory = new RecordingFactory();
        UseKey(keys: k => k.ClientAssertionFactory = factory);

        await _services.TokenProvider.GetTokenAsync(TestServices.ClientName);

        Assert.Equal("from-the-vault-1", Assert.Single(_services.TokenEndpoint.Requests).Fields["client_assertion"]);
        var context = Assert.Single(factory.Contexts);
        Assert.Equal(TestServices.ClientId, context.ClientId);
        Assert.Equal(TestServices.ClientName, context.ClientName);
        Assert.Equal(TokenEndpointStub.Endpoint.AbsoluteUri, context.Audience);
    }

    [Fact]
    public async Task AddClientCredentialsToken_KeyFromConfiguration_SwitchesFromSecretToKey()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TokenEndpoint"] = TokenEndpointStub.Endpoint.AbsoluteUri,
            ["ClientId"] = TestServices.ClientId,
            ["ClientAuthentication"] = "PrivateKeyJwt",
            ["ClientAssertion:Jwk"] = TestKeys.PrivateJwk(_rsa),
        }).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<TimeProvider>(_services.Time);
        services.AddHttpClient(OAuthClientHttpClientBuilderExtensions.TokenEndpointHttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => _services.TokenEndpoint.Handler);
        services.AddHttpClient("orders", c => c.BaseAddress = ApiStub.BaseAddress).AddClientCredentialsToken(configuration);
        using var provider = services.BuildServiceProvider();

        await provider.GetRequiredService<IClientCredentialsTokenProvider>().GetTokenAsync("orders");

        var assertion = Assert.Single(_services.TokenEndpoint.Requests).Fields["client_assertion"];
        await TestKeys.ValidateAsync(assertion, new RsaSecurityKey(_rsa.ExportParameters(false)), "client-authentication+jwt", "RS256");
    }

    [Fact]
    public async Task GetTokenAsync_AssertionFactoryNeverAnswers_FailsAtTokenRequestTimeoutAndNextCallTriesAgain()
    {
        var factory = new HangingFactory();
        UseKey(keys: k => k.ClientAssertionFactory = factory);
        var first = _services.TokenProvider.GetTokenAsync(TestServices.ClientName).AsTask();
        await factory.Asked.Task.WaitAsync(TimeSpan.FromSeconds(10));

        _services.Time.Advance(TimeSpan.FromSeconds(30));
        var error = await Assert.ThrowsAsync<TokenRequestException>(() => first.WaitAsync(TimeSpan.FromSeconds(10)));
        var second = _services.TokenProvider.GetTokenAsync(TestServices.ClientName).AsTask();
        await WaitUntilAsync(() => factory.Calls == 2);

        Assert.Contains("TokenRequestTimeout", error.Message, StringComparison.Ordinal);
        Assert.False(second.IsCompleted);
        Assert.Equal(0, _services.TokenEndpoint.RequestCount);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Yield();
            timeout.Token.ThrowIfCancellationRequested();
        }
    }

    private void UseKey(Action<ClientCredentialsOptions>? configure = null, Action<ClientKeys>? keys = null)
    {
        _services.Configure = o =>
        {
            o.ClientSecret = null;
            o.ClientAuthentication = ClientAuthenticationMethod.PrivateKeyJwt;
            configure?.Invoke(o);
        };
        if (keys is not null)
        {
            _services.ConfigureServices = s => s.ConfigureClientKeys(TestServices.ClientName, keys);
        }
    }

    private sealed class RecordingFactory : IClientAssertionFactory
    {
        private int _made;

        public List<ClientAssertionContext> Contexts { get; } = [];

        public ValueTask<string> CreateAssertionAsync(ClientAssertionContext context, CancellationToken cancellationToken)
        {
            Contexts.Add(context);
            return new ValueTask<string>($"from-the-vault-{Interlocked.Increment(ref _made)}");
        }
    }

    // A vault client that never answers and ignores cancellation.
    private sealed class HangingFactory : IClientAssertionFactory
    {
        private int _calls;

        public TaskCompletionSource Asked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Calls => Volatile.Read(ref _calls);

        public ValueTask<string> CreateAssertionAsync(ClientAssertionContext context, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            Asked.TrySetResult();
            return new ValueTask<string>(new TaskCompletionSource<string>().Task);
        }
    }
}
