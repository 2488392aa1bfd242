using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OAuthClient.Desktop.Tests.Support;

namespace OAuthClient.Desktop.Tests.DependencyInjection;

public sealed class InteractiveSignInHttpClientBuilderExtensionsTests : IDisposable
{
    private readonly SignInFixture _fixture = new();

    // The clients built here run on the system clock, and the server's ID tokens expire by it.
    public InteractiveSignInHttpClientBuilderExtensionsTests() => _fixture.Server.Clock = TimeProvider.System;

    public void Dispose() => _fixture.Dispose();

    private ServiceProvider BuildServices(Action<InteractiveSignInOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<ITokenStore>(_fixture.Store);
        services.AddSingleton<IBrowser>(_fixture.Browser);
        services.AddHttpClient(OAuthClientHttpClientBuilderExtensions.TokenEndpointHttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => _fixture.Server.Handler);
        services.AddHttpClient("api", c => c.BaseAddress = SignInFixture.Api)
            .ConfigurePrimaryHttpMessageHandler(() => _fixture.ApiStub.Handler)
            .AddInteractiveSignIn(configure);
        return services.BuildServiceProvider();
    }

    [Fact]
    public void Get_OptionsInvalidThenFixedByConfiguration_SecondCallSucceeds()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Authority"] = AuthServerStub.Authority.AbsoluteUri })
            .Build();
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<ITokenStore>(_fixture.Store);
        services.AddHttpClient("late").AddInteractiveSignIn(configuration);
        using var provider = services.BuildServiceProvider();
        var signIns = provider.GetRequiredService<InteractiveSignInProvider>();
        Assert.Throws<OptionsValidationException>(() => signIns.Get("late"));

        configuration["ClientId"] = SignInFixture.ClientId;
        configuration.Reload();
        var signIn = signIns.Get("late");

        Assert.Equal(SignInFixture.ClientId, signIn.Options.ClientId);
    }

    [Fact]
    public void Get_BoundConfidentialClientWithFactoryInCode_UsesTheKeysOfItsName()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Authority"] = AuthServerStub.Authority.AbsoluteUri,
            ["ClientId"] = SignInFixture.ClientId,
            ["ClientAuthentication"] = "PrivateKeyJwt",
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<ITokenStore>(_fixture.Store);
        services.AddHttpClient("with-keys").AddInteractiveSignIn(configuration).ConfigureClientKeys(k => k.ClientAssertionFactory = new NoAssertions());
        services.AddHttpClient("without-keys").AddInteractiveSignIn(configuration);
        using var provider = services.BuildServiceProvider();
        var signIns = provider.GetRequiredService<InteractiveSignInProvider>();

        var signIn = signIns.Get("with-keys");
        var failure = Assert.Throws<OptionsValidationException>(() => signIns.Get("without-keys"));

        Assert.Equal(ClientAuthenticationMethod.PrivateKeyJwt, signIn.Options.ClientAuthentication);
        Assert.Contains("'without-keys': ClientAssertion needs a key", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddInteractiveSignIn_SignInThroughProvider_ClientSendsTheUsersTokenToItsBaseAddress()
    {
        using var services = BuildServices(o =>
        {
            o.Authority = AuthServerStub.Authority;
            o.ClientId = SignInFixture.ClientId;
            o.Scope = "openid offline_access api";
        });

        await services.GetRequiredService<InteractiveSignInProvider>().Get("api").SignInAsync();
        using var client = services.GetRequiredService<IHttpClientFactory>().CreateClient("api");
        using var response = await client.GetAsync("me");

        Assert.Equal("access-token-1", Assert.Single(_fixture.ApiStub.Calls).Token);
    }

    [Fact]
    public async Task AddInteractiveSignIn_SilentSignInAfterTheClientUsedTheToken_NamesTheUserInThisRunAndTheNext()
    {
        static void Configure(InteractiveSignInOptions o)
        {
            o.Authority = AuthServerStub.Authority;
            o.ClientId = SignInFixture.ClientId;
            o.Scope = "openid offline_access api";
        }

        using (var services = BuildServices(Configure))
        {
            await services.GetRequiredService<InteractiveSignInProvider>().Get("api").SignInAsync();
            using var client = services.GetRequiredService<IHttpClientFactory>().CreateClient("api");
            using var response = await client.GetAsync("me");

            var sameRun = await services.GetRequiredService<InteractiveSignInProvider>().Get("api").SignInSilentlyAsync();

            Assert.Equal("alice", sameRun?.Account?.Subject);
        }

        using var nextRun = BuildServices(Configure);
        var result = await nextRun.GetRequiredService<InteractiveSignInProvider>().Get("api").SignInSilentlyAsync();

        Assert.Equal("access-token-1", result?.AccessToken.Value);
        Assert.Equal("alice", result?.Account?.Subject);
    }

    [Fact]
    public async Task AddInteractiveSignIn_Dpop_ClientSendsDpopTokenWithProof()
    {
        using var services = BuildServices(o =>
        {
            o.Authority = AuthServerStub.Authority;
            o.ClientId = SignInFixture.ClientId;
            o.Scope = "openid offline_access api";
            o.Dpop.Enabled = true;
        });

        await services.GetRequiredService<InteractiveSignInProvider>().Get("api").SignInAsync();
        using var client = services.GetRequiredService<IHttpClientFactory>().CreateClient("api");
        using var response = await client.GetAsync("me");

        var call = Assert.Single(_fixture.ApiStub.Calls);
        Assert.Equal("DPoP", call.Scheme);
        Assert.NotNull(call.Dpop);
    }

    [Fact]
    public void AddInteractiveSignIn_NoClientId_FailsValidationNamingClientAndProperty()
    {
        using var services = BuildServices(o => o.Authority = AuthServerStub.Authority);

        var ex = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptionsMonitor<InteractiveSignInOptions>>().Get("api"));

        Assert.Contains("'api'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ClientId", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api")]
    [InlineData(null)]
    public void Constructor_ApiOriginNotAbsolute_FailsValidationNamingIt(string? origin)
    {
        var options = new InteractiveSignInOptions { Authority = AuthServerStub.Authority, ClientId = "app" };
        options.ApiOrigins.Add(origin is null ? null! : new Uri(origin, UriKind.Relative));

        var ex = Assert.Throws<OptionsValidationException>(() => new InteractiveSignIn(options, new InMemoryTokenStore()));

        Assert.Contains("ApiOrigins", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("state")]
    [InlineData("code_challenge")]
    [InlineData("redirect_uri")]
    public void Constructor_ParameterTheSignInSets_FailsValidationNamingIt(string parameter)
    {
        var options = new InteractiveSignInOptions { Authority = AuthServerStub.Authority, ClientId = "app" };
        options.Parameters[parameter] = "mine";

        var ex = Assert.Throws<OptionsValidationException>(() => new InteractiveSignIn(options, new InMemoryTokenStore()));

        Assert.Contains($"'{parameter}'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_TokenRequestTimeoutOverAnHour_FailsValidation()
    {
        var options = new InteractiveSignInOptions { Authority = AuthServerStub.Authority, ClientId = "app", TokenRequestTimeout = TimeSpan.FromDays(60) };

        var ex = Assert.Throws<OptionsValidationException>(() => new InteractiveSignIn(options, new InMemoryTokenStore()));

        Assert.Contains("TokenRequestTimeout", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sign in")]
    [InlineData("café")]
    [InlineData("oauth/../callback")]
    [InlineData("oauth/./callback")]
    [InlineData("call%62ack")]
    public void Constructor_RedirectPathAUriRewrites_FailsValidationNamingIt(string path)
    {
        var options = new InteractiveSignInOptions { Authority = AuthServerStub.Authority, ClientId = "app", RedirectPath = path };

        var ex = Assert.Throws<OptionsValidationException>(() => new InteractiveSignIn(options, new InMemoryTokenStore()));

        Assert.Contains($"RedirectPath '{path}'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("callback")]
    [InlineData("/oauth/callback")]
    [InlineData("oauth-2.0_cb~1/")]
    public void Constructor_PlainRedirectPath_Accepted(string path)
    {
        var options = new InteractiveSignInOptions { Authority = AuthServerStub.Authority, ClientId = "app", RedirectPath = path };

        using var signIn = new InteractiveSignIn(options, new InMemoryTokenStore());

        Assert.Equal(path, signIn.Options.RedirectPath);
    }

    [Fact]
    public void Constructor_NullRedirectPath_FailsValidationNamingIt()
    {
        var options = new InteractiveSignInOptions { Authority = AuthServerStub.Authority, ClientId = "app", RedirectPath = null! };

        var ex = Assert.Throws<OptionsValidationException>(() => new InteractiveSignIn(options, new InMemoryTokenStore()));

        Assert.Contains("RedirectPath", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_HttpAuthority_Refused()
    {
        var options = new InteractiveSignInOptions { Authority = new Uri("http://login.example.com/"), ClientId = "app" };

        var ex = Assert.Throws<OptionsValidationException>(() => new InteractiveSignIn(options, new InMemoryTokenStore()));

        Assert.Contains("HTTPS", ex.Message, StringComparison.Ordinal);
    }

    private sealed class NoAssertions : IClientAssertionFactory
    {
        public ValueTask<string> CreateAssertionAsync(ClientAssertionContext context, CancellationToken cancellationToken) => new("x");
    }
}
