using OAuthClient.Desktop.Tests.Support;

namespace OAuthClient.Desktop.Tests.SignIn;

/// <summary>
/// A hostile or careless server's ID tokens (OpenID Connect Core §3.1.3.7): each failed check refuses the sign-in with
/// <c>invalid_id_token</c> and stores nothing; display claims a terminal would choke on are left out.
/// </summary>
public sealed class IdTokenCheckTests : IDisposable
{
    private readonly SignInFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    private static readonly string[] ForeignAudiences = ["another-app", "third-app"];
    private static readonly string[] OursAndAnother = [SignInFixture.ClientId, "another-app"];
    private static readonly string[] AnotherAndOurs = ["another-app", SignInFixture.ClientId];
    private static readonly string[] ListOfNames = ["alice"];

    public static TheoryData<string, object?> RefusedClaims => new()
    {
        { "iss", "https://evil.example.com" },
        { "iss", null },
        { "sub", null },
        { "sub", "" },
        { "sub", new string('a', 256) },
        { "sub", 42 },
        { "aud", "another-app" },
        { "aud", null },
        { "aud", ForeignAudiences },
        { "aud", OursAndAnother },
        { "azp", "another-app" },
        { "exp", null },
        { "exp", "tomorrow" },
    };

    [Theory]
    [MemberData(nameof(RefusedClaims))]
    public async Task SignInAsync_IdTokenFailsACheck_RefusedAndNothingStored(string claim, object? value)
    {
        _fixture.Server.IdTokenClaims[claim] = value;

        var ex = await Assert.ThrowsAsync<AuthorizationFailedException>(() => _fixture.SignIn.SignInAsync());

        Assert.Equal("invalid_id_token", ex.Error);
        Assert.Contains("ID token", ex.Message, StringComparison.Ordinal);
        Assert.Null(await _fixture.StoredAsync());
        Assert.Null(await _fixture.SignIn.SignInSilentlyAsync());
    }

    [Fact]
    public async Task SignInAsync_ExpiredIdToken_Refused()
    {
        _fixture.Server.IdTokenClaims["exp"] = (_fixture.Time.GetUtcNow() - TimeSpan.FromMinutes(6)).ToUnixTimeSeconds();

        var ex = await Assert.ThrowsAsync<AuthorizationFailedException>(() => _fixture.SignIn.SignInAsync());

        Assert.Equal("invalid_id_token", ex.Error);
        Assert.Contains("expired", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignInAsync_ExpiryWithinClockSkewAndFractional_Accepted()
    {
        _fixture.Server.IdTokenClaims["exp"] = (_fixture.Time.GetUtcNow() - TimeSpan.FromMinutes(4)).ToUnixTimeSeconds() + 0.5;

        var result = await _fixture.SignIn.SignInAsync();

        Assert.Equal("alice", result.Account?.Subject);
    }

    [Fact]
    public async Task SignInAsync_SeveralAudiencesWithOurAzp_Accepted()
    {
        _fixture.Server.IdTokenClaims["aud"] = AnotherAndOurs;
        _fixture.Server.IdTokenClaims["azp"] = SignInFixture.ClientId;

        var result = await _fixture.SignIn.SignInAsync();

        Assert.Equal("alice", result.Account?.Subject);
    }

    [Fact]
    public async Task SignInAsync_OpenIdAskedButNoIdToken_Refused()
    {
        _fixture.Server.IdTokenOnAuthorizationCode = false;

        var ex = await Assert.ThrowsAsync<AuthorizationFailedException>(() => _fixture.SignIn.SignInAsync());

        Assert.Equal("invalid_id_token", ex.Error);
        Assert.Null(await _fixture.StoredAsync());
    }

    [Theory]
    [InlineData("\u001b]0;pwned\u0007Alice")]
    [InlineData("Alice\r\nSigned in as: admin")]
    [InlineData("")]
    public async Task SignInAsync_NameAnAttackerWouldPrint_LeftOut(string name)
    {
        _fixture.Server.IdTokenClaims["name"] = name;

        var result = await _fixture.SignIn.SignInAsync();

        Assert.Null(result.Account?.Name);
        Assert.Equal("alice", result.Account?.DisplayName);
    }

    [Fact]
    public async Task SignInAsync_OversizedOrNonTextClaims_LeftOut()
    {
        _fixture.Server.IdTokenClaims["name"] = new string('A', 5_000);
        _fixture.Server.IdTokenClaims["email"] = 7;
        _fixture.Server.IdTokenClaims["preferred_username"] = ListOfNames;

        var result = await _fixture.SignIn.SignInAsync();

        var account = Assert.IsType<UserAccount>(result.Account);
        Assert.Null(account.Name);
        Assert.Null(account.Email);
        Assert.Null(account.PreferredUsername);
        Assert.Equal("alice", account.DisplayName);
    }

    [Fact]
    public async Task SignInAsync_IssuerRefused_MessageNamesTheIssuerButNotTheToken()
    {
        _fixture.Server.IdTokenClaims["iss"] = "https://evil.example.com";

        var ex = await Assert.ThrowsAsync<AuthorizationFailedException>(() => _fixture.SignIn.SignInAsync());

        Assert.Contains("https://evil.example.com", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("access-token", ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", ex.ToString(), StringComparison.Ordinal);
    }
}
