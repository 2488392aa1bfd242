using OAuthClient.Desktop.Tests.Support;

namespace OAuthClient.Desktop.Tests.TokenStore;

/// <summary>Two sign-ins sharing one store read only their own tokens: every setting that changes what a token is for is in the key.</summary>
public sealed class StoreKeyTests : IDisposable
{
    private readonly SignInFixture _fixture = new();
    private readonly List<IDisposable> _others = [];

    public void Dispose()
    {
        _others.ForEach(o => o.Dispose());
        _fixture.Dispose();
    }

    [Fact]
    public async Task GetAccessTokenAsync_OtherSignInDiffersOnlyInAudience_SignInRequiredAndNothingSent()
    {
        _fixture.Options.Parameters["audience"] = "api-a";
        await _fixture.SignIn.SignInAsync();
        var other = Other(o => o.Parameters["audience"] = "api-b");
        using var api = new HttpClient(other.CreateHandler(_fixture.ApiStub.Handler)) { BaseAddress = SignInFixture.Api };

        await Assert.ThrowsAsync<SignInRequiredException>(() => other.GetAccessTokenAsync().AsTask());
        await Assert.ThrowsAsync<SignInRequiredException>(() => api.GetAsync(new Uri("me", UriKind.Relative)));

        Assert.Empty(_fixture.ApiStub.Calls);
    }

    [Fact]
    public async Task GetAccessTokenAsync_ClientIdAndScopeSplitDifferentlyOnSpaces_SignInRequired()
    {
        _fixture.Options.ClientId = "app one";
        _fixture.Options.Scope = "api";
        await _fixture.SignIn.SignInAsync();
        var other = Other(o =>
        {
            o.ClientId = "app";
            o.Scope = "one api";
        });

        await Assert.ThrowsAsync<SignInRequiredException>(() => other.GetAccessTokenAsync().AsTask());
    }

    [Fact]
    public async Task GetAccessTokenAsync_SameSettingsInAnotherInstance_ReadsTheStoredSignIn()
    {
        _fixture.Options.Parameters["audience"] = "api-a";
        var signedIn = await _fixture.SignIn.SignInAsync();
        var other = Other(o => o.Parameters["audience"] = "api-a");

        var token = await other.GetAccessTokenAsync();

        Assert.Equal(signedIn.AccessToken.Value, token.Value);
    }

    private InteractiveSignIn Other(Action<InteractiveSignInOptions> differ)
    {
        var options = new InteractiveSignInOptions
        {
            Authority = _fixture.Options.Authority,
            ClientId = _fixture.Options.ClientId,
            Scope = _fixture.Options.Scope,
            ApiOrigins = { SignInFixture.Api },
        };
        differ(options);
        var signIn = new InteractiveSignIn(options, _fixture.Store, _fixture.Browser, _fixture.Server.Handler, _fixture.Time);
        _others.Add(signIn);
        return signIn;
    }
}
