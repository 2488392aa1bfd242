using System.Net;
using OAuthClient.Desktop.Tests.Support;

namespace OAuthClient.Desktop.Tests.DeviceCode;

/// <summary>
/// What a device sign-in that waits for minutes meets on the same <see cref="InteractiveSignIn"/>: another device sign-in, and a
/// sign-out. A sign-in the user started and approved signs in when it completes, whatever ended meanwhile; the session that
/// was signed out stays out.
/// </summary>
public sealed class DeviceCodeSessionTests : IDisposable
{
    private readonly SignInFixture _fixture = new();

    public DeviceCodeSessionTests() => _fixture.Server.Clock = _fixture.Time;

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task SignInWithDeviceCodeAsync_TwoAtOnce_BothSignInAndTheLastApprovedIsTheSession()
    {
        // Whichever polls first is approved at once; the other is approved one poll later.
        _fixture.Server.DeviceReplies.Enqueue(Approve);
        _fixture.Server.DeviceReplies.Enqueue(Error("authorization_pending"));
        var first = _fixture.SignIn.SignInWithDeviceCodeAsync(Prompt);
        var second = _fixture.SignIn.SignInWithDeviceCodeAsync(Prompt);

        var earlier = await _fixture.RunOnClockAsync(Task.WhenAny(first, second));
        var later = await _fixture.RunOnClockAsync(earlier == first ? second : first);

        Assert.Equal("access-token-1", (await earlier).AccessToken.Value);
        Assert.Equal("access-token-2", later.AccessToken.Value);
        Assert.Equal(2, _fixture.Server.DeviceRequests.Count);
        var stored = await _fixture.StoredAsync();
        Assert.Equal(("access-token-2", "refresh-token-2"), (stored?.AccessToken, stored?.RefreshToken));
        Assert.Equal("access-token-2", (await _fixture.SignIn.GetAccessTokenAsync()).Value);
    }

    [Fact]
    public async Task SignOutAsync_WhileDeviceSignInPolls_OldSessionGoneAndTheLaterApprovalSignsIn()
    {
        await _fixture.SeedAsync(refreshToken: "refresh-token-0", accessToken: "access-token-0", validFor: TimeSpan.FromMinutes(30));
        _fixture.Server.DeviceReplies.Enqueue(Error("authorization_pending"));
        _fixture.Server.DeviceReplies.Enqueue(Error("authorization_pending"));
        var signIn = _fixture.SignIn.SignInWithDeviceCodeAsync(Prompt);
        await _fixture.AdvanceUntilAsync(signIn, () => !_fixture.Server.DevicePolls.IsEmpty);

        await _fixture.SignIn.SignOutAsync();

        Assert.Contains("refresh-token-0", _fixture.Server.Revoked);
        Assert.Null(await _fixture.StoredAsync());
        await Assert.ThrowsAsync<SignInRequiredException>(() => _fixture.SignIn.GetAccessTokenAsync().AsTask());

        var result = await _fixture.RunOnClockAsync(signIn);

        // The user approved after the sign-out: theirs is a new session, with its own tokens; nothing of the old one returns.
        Assert.Equal("access-token-1", result.AccessToken.Value);
        Assert.Equal("refresh-token-1", (await _fixture.StoredAsync())?.RefreshToken);
        Assert.Equal("access-token-1", (await _fixture.SignIn.GetAccessTokenAsync()).Value);
        Assert.Equal(0, _fixture.Server.RefreshRequestCount);
    }

    [Fact]
    public async Task SignOutAsync_WhileDeviceSignInPolls_CancellingTheSignInLeavesTheUserSignedOut()
    {
        await _fixture.SeedAsync(validFor: TimeSpan.FromMinutes(30));
        using var cancel = new CancellationTokenSource();
        _fixture.Server.DeviceReplies.Enqueue(Error("authorization_pending"));
        var signIn = _fixture.SignIn.SignInWithDeviceCodeAsync(Prompt, cancel.Token);
        await _fixture.AdvanceUntilAsync(signIn, () => !_fixture.Server.DevicePolls.IsEmpty);

        await _fixture.SignIn.SignOutAsync();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => signIn);
        _fixture.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(await _fixture.StoredAsync());
        await Assert.ThrowsAsync<SignInRequiredException>(() => _fixture.SignIn.GetAccessTokenAsync().AsTask());
    }

    private static Task<HttpResponseMessage?> Approve() => Task.FromResult<HttpResponseMessage?>(null);

    private static Func<Task<HttpResponseMessage?>> Error(string error) =>
        () => Task.FromResult<HttpResponseMessage?>(AuthServerStub.Json(HttpStatusCode.BadRequest, $$"""{"error":"{{error}}"}"""));

    private static Task Prompt(DeviceCodePrompt prompt, CancellationToken cancellationToken) => Task.CompletedTask;
}
