using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OAuthClient.Tests.Support;

namespace OAuthClient.Tests.DependencyInjection;

/// <summary>
/// The configuration shape users have (section keys) binds through the binding source generator, the binder Native AOT
/// has: every bindable property, nested ones, lists and dictionaries included, lands where it belongs.
/// </summary>
public sealed class ConfigurationBindingTests
{
    private static readonly Dictionary<string, string?> EverySetting = new()
    {
        ["Orders:Authority"] = "https://login.example.com/tenant/",
        ["Orders:TokenEndpoint"] = "https://login.example.com/connect/token",
        ["Orders:ClientId"] = "worker",
        ["Orders:ClientSecret"] = "s3cret",
        ["Orders:ClientAuthentication"] = "PrivateKeyJwt",
        ["Orders:ClientAssertion:Jwk"] = "{\"kty\":\"EC\"}",
        ["Orders:ClientAssertion:Algorithm"] = "ES256",
        ["Orders:ClientAssertion:Audience"] = "Issuer",
        ["Orders:ClientAssertion:Lifetime"] = "00:02:00",
        ["Orders:Dpop:Enabled"] = "true",
        ["Orders:Dpop:Jwk"] = "{\"kty\":\"RSA\"}",
        ["Orders:Dpop:Algorithm"] = "PS256",
        ["Orders:Scope"] = "orders.read orders.write",
        ["Orders:Resource"] = "https://api.example.com/",
        ["Orders:Parameters:audience"] = "orders-api",
        ["Orders:Parameters:tenant"] = "contoso",
        ["Orders:ApiOrigins:0"] = "https://api.example.com",
        ["Orders:ApiOrigins:1"] = "https://files.example.com:8443",
        ["Orders:RefreshBeforeExpiry"] = "00:00:30",
        ["Orders:RenewInBackground"] = "true",
        ["Orders:DefaultTokenLifetime"] = "00:10:00",
        ["Orders:TokenRequestTimeout"] = "00:00:15",
        ["Orders:TokenRequestRetries"] = "4",
        ["Orders:TokenRequestRetryDelay"] = "00:00:01",
        ["Orders:RequireHttps"] = "false",
        ["Orders:BackchannelHttpClientName"] = "orders-backchannel",
    };

    [Fact]
    public void AddClientCredentialsToken_SectionWithEverySetting_BindsEachProperty()
    {
        var options = Bind(services => services.AddHttpClient("orders").AddClientCredentialsToken(Section()));

        Assert.Equal(new Uri("https://login.example.com/tenant/"), options.Authority);
        Assert.Equal(new Uri("https://login.example.com/connect/token"), options.TokenEndpoint);
        Assert.Equal("worker", options.ClientId);
        Assert.Equal("s3cret", options.ClientSecret);
        Assert.Equal(ClientAuthenticationMethod.PrivateKeyJwt, options.ClientAuthentication);
        Assert.Equal("{\"kty\":\"EC\"}", options.ClientAssertion.Jwk);
        Assert.Equal("ES256", options.ClientAssertion.Algorithm);
        Assert.Equal(ClientAssertionAudience.Issuer, options.ClientAssertion.Audience);
        Assert.Equal(TimeSpan.FromMinutes(2), options.ClientAssertion.Lifetime);
        Assert.True(options.Dpop.Enabled);
        Assert.Equal("{\"kty\":\"RSA\"}", options.Dpop.Jwk);
        Assert.Equal("PS256", options.Dpop.Algorithm);
        Assert.Equal("orders.read orders.write", options.Scope);
        Assert.Equal("https://api.example.com/", options.Resource);
        Assert.Equal(new Dictionary<string, string> { ["audience"] = "orders-api", ["tenant"] = "contoso" }, options.Parameters);
        Assert.Equal([new Uri("https://api.example.com"), new Uri("https://files.example.com:8443")], options.ApiOrigins);
        Assert.Equal(TimeSpan.FromSeconds(30), options.RefreshBeforeExpiry);
        Assert.True(options.RenewInBackground);
        Assert.Equal(TimeSpan.FromMinutes(10), options.DefaultTokenLifetime);
        Assert.Equal(TimeSpan.FromSeconds(15), options.TokenRequestTimeout);
        Assert.Equal(4, options.TokenRequestRetries);
        Assert.Equal(TimeSpan.FromSeconds(1), options.TokenRequestRetryDelay);
        Assert.False(options.RequireHttps);
        Assert.Equal("orders-backchannel", options.BackchannelHttpClientName);
    }

    [Fact]
    public void AddClientCredentialsTokenClient_SectionWithEverySetting_BindsLikeTheHttpClientRegistration()
    {
        var options = Bind(services => services.AddClientCredentialsTokenClient("orders", Section()));

        Assert.Equal("worker", options.ClientId);
        Assert.Equal("PS256", options.Dpop.Algorithm);
        Assert.Equal(2, options.ApiOrigins.Count);
        Assert.Equal("contoso", options.Parameters["tenant"]);
    }

    [Fact]
    public void EverySetting_CoversEveryBindableProperty()
    {
        var keys = EverySetting.Keys.Select(k => k["Orders:".Length..]);

        Assert.Empty(ConfigurationShape.Unset(typeof(ClientCredentialsOptions), keys));
    }

    [Fact]
    public void ConfigureClientKeys_FactoryInCodeForBoundClient_CompletesItsOptions()
    {
        var keyless = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TokenEndpoint"] = "https://login.example.com/connect/token",
            ["ClientId"] = "worker",
            ["ClientAuthentication"] = "PrivateKeyJwt",
        }).Build();
        var services = new ServiceCollection();
        services.AddHttpClient("orders").AddClientCredentialsToken(keyless).ConfigureClientKeys(k => k.ClientAssertionFactory = new NoAssertions());
        services.AddHttpClient("billing").AddClientCredentialsToken(keyless);
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptionsMonitor<ClientCredentialsOptions>>();

        Assert.Equal("worker", options.Get("orders").ClientId);
        var failure = Assert.Throws<OptionsValidationException>(() => options.Get("billing"));
        Assert.Contains("'billing': ClientAssertion needs a key", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddTokenExchange_SectionWithEverySetting_BindsEachProperty()
    {
        var settings = new Dictionary<string, string?>
        {
            ["TokenClientName"] = "front-api",
            ["Audience"] = "profile-api",
            ["Resource"] = "https://profile.example.com/",
            ["Scope"] = "profile.read",
            ["RequestedTokenType"] = TokenTypeIdentifiers.Jwt,
            ["UseActorToken"] = "true",
            ["Parameters:tenant"] = "contoso",
            ["ApiOrigins:0"] = "https://profile.example.com",
            ["MaxCachedTokens"] = "250",
        };
        var services = new ServiceCollection();
        services.AddHttpClient("profile").AddTokenExchange(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        using var provider = services.BuildServiceProvider();

        var options = ConfigurationShape.Configured<TokenExchangeOptions>(provider, "profile");

        Assert.Empty(ConfigurationShape.Unset(typeof(TokenExchangeOptions), settings.Keys));
        Assert.Equal("front-api", options.TokenClientName);
        Assert.Equal("profile-api", options.Audience);
        Assert.Equal("https://profile.example.com/", options.Resource);
        Assert.Equal("profile.read", options.Scope);
        Assert.Equal(TokenTypeIdentifiers.Jwt, options.RequestedTokenType);
        Assert.True(options.UseActorToken);
        Assert.Equal("contoso", Assert.Single(options.Parameters).Value);
        Assert.Equal([new Uri("https://profile.example.com")], options.ApiOrigins);
        Assert.Equal(250, options.MaxCachedTokens);
    }

    private static IConfigurationSection Section() =>
        new ConfigurationBuilder().AddInMemoryCollection(EverySetting).Build().GetSection("Orders");

    private static ClientCredentialsOptions Bind(Action<IServiceCollection> register)
    {
        var services = new ServiceCollection();
        register(services);
        using var provider = services.BuildServiceProvider();

        return ConfigurationShape.Configured<ClientCredentialsOptions>(provider, "orders");
    }

    private sealed class NoAssertions : IClientAssertionFactory
    {
        public ValueTask<string> CreateAssertionAsync(ClientAssertionContext context, CancellationToken cancellationToken) => new("x");
    }
}
