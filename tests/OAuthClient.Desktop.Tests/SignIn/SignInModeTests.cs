using OAuthClient.Desktop.Tests.Support;

namespace OAuthClient.Desktop.Tests.SignIn;

/// <summary>One sign-in that picks its way: the browser where one opens, a device code where none can.</summary>
public sealed class SignInModeTests : IDisposable
{
    private readonly SignInFixture _fixture = new();
    private readonly List<DeviceCodePrompt> _prompts = [];

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task SignInAsync_AutoWithABrowser_UsesTheBrowser()
    {
        await _fixture.SignIn.SignInAsync(Prompt, CancellationToken.None);

        Assert.Single(_fixture.Browser.Opened);
        Assert.Empty(_fixture.Server.DeviceRequests);
    }

    [Fact]
    public async Task SignInAsync_AutoWithoutABrowser_UsesADeviceCode()
    {
        _fixture.Browser.CanOpen = false;

        var signIn = _fixture.SignIn.SignInAsync(Prompt, CancellationToken.None);
        var token = await _fixture.RunOnClockAsync(signIn);

        Assert.Equal("access-token-1", token.AccessToken.Value);
        Assert.Empty(_fixture.Browser.Opened);
        Assert.Single(_prompts);
    }

    [Fact]
    public async Task SignInAsync_AutoBrowserFails_FallsBackAtOnceWithoutWaitingForTheTimeout()
    {
        _fixture.Browser.Fails = new InvalidOperationException("no browser could start");

        var token = await _fixture.RunOnClockAsync(_fixture.SignIn.SignInAsync(Prompt, CancellationToken.None));

        Assert.Equal("access-token-1", token.AccessToken.Value);
        Assert.Single(_fixture.Browser.Opened);
        Assert.Single(_prompts);
    }

    [Fact]
    public async Task SignInAsync_AutoWithoutABrowserAndNoDeviceFlowAtTheServer_TheBrowserPathAsBefore()
    {
        _fixture.Browser.CanOpen = false;
        _fixture.Server.AdvertisesDeviceEndpoint = false;

        await _fixture.SignIn.SignInAsync(Prompt, CancellationToken.None);

        Assert.Single(_fixture.Browser.Opened);
        Assert.Empty(_prompts);
    }

    [Fact]
    public async Task SignInAsync_BrowserModeBrowserFails_ThatErrorAtOnce()
    {
        _fixture.Options.SignInMode = SignInMode.Browser;
        _fixture.Browser.Fails = new InvalidOperationException("no browser could start");

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => _fixture.SignIn.SignInAsync(Prompt, CancellationToken.None));

        Assert.Equal("no browser could start", ex.Message);
        Assert.Empty(_prompts);
    }

    [Fact]
    public async Task SignInAsync_DeviceCodeMode_NeverOpensTheBrowser()
    {
        _fixture.Options.SignInMode = SignInMode.DeviceCode;

        await _fixture.RunOnClockAsync(_fixture.SignIn.SignInAsync(Prompt, CancellationToken.None));

        Assert.Empty(_fixture.Browser.Opened);
        Assert.Single(_fixture.Server.DeviceRequests);
    }

    private Task Prompt(DeviceCodePrompt prompt, CancellationToken cancellationToken)
    {
        _prompts.Add(prompt);
        return Task.CompletedTask;
    }
}
