using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace OAuthClient.Desktop.Tests.DependencyInjection;

/// <summary>The configuration shape of <see cref="InteractiveSignInOptions"/> binds through the binding source generator, property by property.</summary>
public sealed class ConfigurationBindingTests
{
    private static readonly Dictionary<string, string?> EverySetting = new()
    {
        ["Authority"] = "https://login.example.com/",
        ["AuthorizationEndpoint"] = "https://login.example.com/authorize",
        ["TokenEndpoint"] = "https://login.example.com/token",
        ["RevocationEndpoint"] = "https://login.example.com/revoke",
        ["Issuer"] = "https://login.example.com",
        ["ClientId"] = "desktop",
        ["ClientAuthentication"] = "ClientSecretPost",
        ["ClientSecret"] = "s3cret",
        ["ClientAssertion:Jwk"] = "{\"kty\":\"EC\"}",
        ["ClientAssertion:Algorithm"] = "ES256",
        ["ClientAssertion:Audience"] = "Issuer",
        ["ClientAssertion:Lifetime"] = "00:03:00",
        ["Dpop:Enabled"] = "true",
        ["Dpop:Jwk"] = "{\"kty\":\"RSA\"}",
        ["Dpop:Algorithm"] = "RS256",
        ["Scope"] = "openid offline_access api.read",
        ["Parameters:prompt"] = "login",
        ["RedirectPath"] = "signed-in",
        ["RedirectPort"] = "51234",
        ["ResponseMode"] = "FormPost",
        ["ApiOrigins:0"] = "https://api.example.com",
        ["SignInTimeout"] = "00:02:00",
        ["RefreshBeforeExpiry"] = "00:00:45",
        ["DefaultTokenLifetime"] = "00:07:00",
        ["TokenRequestTimeout"] = "00:00:20",
        ["RequireHttps"] = "false",
        ["UsePushedAuthorization"] = "true",
        ["SignInMode"] = "DeviceCode",
        ["StoreKey"] = "my-app",
    };

    [Fact]
    public void AddInteractiveSignIn_SectionWithEverySetting_BindsEachProperty()
    {
        var services = new ServiceCollection();
        services.AddHttpClient("api").AddInteractiveSignIn(new ConfigurationBuilder().AddInMemoryCollection(EverySetting).Build());
        using var provider = services.BuildServiceProvider();

        var options = ConfigurationShape.Configured<InteractiveSignInOptions>(provider, "api");

        Assert.Empty(ConfigurationShape.Unset(typeof(InteractiveSignInOptions), EverySetting.Keys));
        Assert.Equal(new Uri("https://login.example.com/"), options.Authority);
        Assert.Equal(new Uri("https://login.example.com/authorize"), options.AuthorizationEndpoint);
        Assert.Equal(new Uri("https://login.example.com/token"), options.TokenEndpoint);
        Assert.Equal(new Uri("https://login.example.com/revoke"), options.RevocationEndpoint);
        Assert.Equal("https://login.example.com", options.Issuer);
        Assert.Equal("desktop", options.ClientId);
        Assert.Equal(ClientAuthenticationMethod.ClientSecretPost, options.ClientAuthentication);
        Assert.Equal("s3cret", options.ClientSecret);
        Assert.Equal("{\"kty\":\"EC\"}", options.ClientAssertion.Jwk);
        Assert.Equal("ES256", options.ClientAssertion.Algorithm);
        Assert.Equal(ClientAssertionAudience.Issuer, options.ClientAssertion.Audience);
        Assert.Equal(TimeSpan.FromMinutes(3), options.ClientAssertion.Lifetime);
        Assert.True(options.Dpop.Enabled);
        Assert.Equal("{\"kty\":\"RSA\"}", options.Dpop.Jwk);
        Assert.Equal("RS256", options.Dpop.Algorithm);
        Assert.Equal("openid offline_access api.read", options.Scope);
        Assert.Equal("login", Assert.Single(options.Parameters, p => p.Key == "prompt").Value);
        Assert.Equal("signed-in", options.RedirectPath);
        Assert.Equal(51234, options.RedirectPort);
        Assert.Equal(AuthorizationResponseMode.FormPost, options.ResponseMode);
        Assert.Equal([new Uri("https://api.example.com")], options.ApiOrigins);
        Assert.Equal(TimeSpan.FromMinutes(2), options.SignInTimeout);
        Assert.Equal(TimeSpan.FromSeconds(45), options.RefreshBeforeExpiry);
        Assert.Equal(TimeSpan.FromMinutes(7), options.DefaultTokenLifetime);
        Assert.Equal(TimeSpan.FromSeconds(20), options.TokenRequestTimeout);
        Assert.False(options.RequireHttps);
        Assert.True(options.UsePushedAuthorization);
        Assert.Equal(SignInMode.DeviceCode, options.SignInMode);
        Assert.Equal("my-app", options.StoreKey);
    }
}
