using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OAuthClient.Tests.Support;

namespace OAuthClient.Tests.ClientCredentials;

/// <summary>Keys set in code with ConfigureClientKeys beside options bound from configuration, through reloads.</summary>
public sealed class ClientKeysChangeTests
{
    private readonly IConfigurationRoot _configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Orders:TokenEndpoint"] = TokenEndpointStub.Endpoint.AbsoluteUri,
        ["Orders:ClientId"] = TestServices.ClientId,
        ["Orders:ClientAuthentication"] = "PrivateKeyJwt",
        ["Orders:Scope"] = "orders.read",
    }).Build();

    private readonly TokenEndpointStub _stub = new();

    [Fact]
    public async Task GetTokenAsync_ConfigurationReloaded_KeyInCodeStillSigns()
    {
        using var ecdsa = TestKeys.EcP256();
        using var provider = Build(b => b.ConfigureClientKeys(k => k.ClientAssertionKey = new ECDsaSecurityKey(ecdsa) { KeyId = "key-1" }));
        var tokens = provider.GetRequiredService<IClientCredentialsTokenProvider>();
        var before = await tokens.GetTokenAsync(TestServices.ClientName);

        _configuration["Orders:Scope"] = "orders.write";
        _configuration.Reload();
        var after = await tokens.GetTokenAsync(TestServices.ClientName);

        Assert.NotEqual(before.Value, after.Value);
        Assert.Equal(["key-1", "key-1"], KeyIds());
    }

    [Fact]
    public async Task GetTokenAsync_ConfigurationReloadedAfterKeyRotatedInCode_SignsWithNewKey()
    {
        // As a Configure step of the options does, the keys' step runs again when the options change: a certificate or key
        // it loads (from a store, by a thumbprint in configuration) is the current one.
        using var first = TestKeys.EcP256();
        using var second = TestKeys.EcP256();
        var current = new ECDsaSecurityKey(first) { KeyId = "key-1" };
        using var provider = Build(b => b.ConfigureClientKeys(k => k.ClientAssertionKey = current));
        var tokens = provider.GetRequiredService<IClientCredentialsTokenProvider>();
        await tokens.GetTokenAsync(TestServices.ClientName);

        current = new ECDsaSecurityKey(second) { KeyId = "key-2" };
        _configuration["Orders:Scope"] = "orders.write";
        _configuration.Reload();
        await tokens.GetTokenAsync(TestServices.ClientName);

        Assert.Equal(["key-1", "key-2"], KeyIds());
    }

    [Fact]
    public async Task GetTokenAsync_KeysSignalOwnChange_NewKeySignsAndOldTokenDropped()
    {
        using var first = TestKeys.EcP256();
        using var second = TestKeys.EcP256();
        var current = new ECDsaSecurityKey(first) { KeyId = "key-1" };
        var certificateWatcher = new ConfigurationBuilder().Build();
        using var provider = Build(b =>
        {
            b.ConfigureClientKeys(k => k.ClientAssertionKey = current);
            b.Services.AddSingleton<IOptionsChangeTokenSource<ClientKeys>>(
                new ConfigurationChangeTokenSource<ClientKeys>(TestServices.ClientName, certificateWatcher));
        });
        var tokens = provider.GetRequiredService<IClientCredentialsTokenProvider>();
        var before = await tokens.GetTokenAsync(TestServices.ClientName);

        current = new ECDsaSecurityKey(second) { KeyId = "key-2" };
        certificateWatcher.Reload();
        var after = await tokens.GetTokenAsync(TestServices.ClientName);

        Assert.NotEqual(before.Value, after.Value);
        Assert.Equal(["key-1", "key-2"], KeyIds());
    }

    private ServiceProvider Build(Action<IHttpClientBuilder> keys)
    {
        var services = new ServiceCollection();
        services.AddHttpClient(OAuthClientHttpClientBuilderExtensions.TokenEndpointHttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => _stub.Handler);
        keys(services.AddHttpClient(TestServices.ClientName, c => c.BaseAddress = ApiStub.BaseAddress)
            .AddClientCredentialsToken(_configuration.GetSection("Orders")));
        return services.BuildServiceProvider();
    }

    private IEnumerable<string> KeyIds() => _stub.Requests.Select(r => new JsonWebToken(r.Fields["client_assertion"]).Kid);
}
