using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using OAuthClient.Tests.Support;

namespace OAuthClient.Tests.DependencyInjection;

/// <summary>
/// Keys set with <c>ConfigureClientKeys</c> on an HttpClient go where its tokens come from: to a shared token client, never
/// dropped under the HttpClient's name (a DPoP key quietly replaced by a generated one).
/// </summary>
public sealed class ClientKeysTargetTests
{
    [Fact]
    public async Task GetTokenAsync_DpopKeySetOnHttpClientOfSharedTokenClient_UsesThatKeyOrFailsOnStart()
    {
        using var ecdsa = TestKeys.EcP256();
        var stub = new TokenEndpointStub { TokenType = "DPoP" };
        var services = new ServiceCollection();
        services.AddHttpClient(OAuthClientHttpClientBuilderExtensions.TokenEndpointHttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => stub.Handler);
        services.AddClientCredentialsTokenClient("front", o =>
        {
            TestServices.Defaults(o);
            o.Dpop.Enabled = true;
        });
        services.AddHttpClient(TestServices.ClientName, c => c.BaseAddress = ApiStub.BaseAddress)
            .AddClientCredentialsToken("front")
            .ConfigureClientKeys(k => k.DpopKey = new ECDsaSecurityKey(ecdsa));
        using var provider = services.BuildServiceProvider();

        await provider.GetRequiredService<IClientCredentialsTokenProvider>().GetTokenAsync("front");

        var jwk = TestKeys.HeaderJwk(Assert.Single(stub.Requests).Dpop!);
        Assert.Equal(Base64UrlEncoder.Encode(ecdsa.ExportParameters(false).Q.X), jwk.X);
    }

    [Fact]
    public void ConfigureClientKeys_AfterTokenExchange_SaysToSetThemOnTheTokenClient()
    {
        var services = new ServiceCollection();
        var builder = services.AddHttpClient("downstream").AddTokenExchange(o => { o.TokenClientName = "front"; o.Audience = "api"; });

        var ex = Assert.Throws<InvalidOperationException>(() => builder.ConfigureClientKeys(k => k.DpopKey = null));

        Assert.Contains("ConfigureClientKeys(tokenClientName", ex.Message, StringComparison.Ordinal);
    }
}
