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
        { "iss", AuthServerStub.Issuer + "/" },
        { "sub", "\u001b]0;pwned\u0007" },
        { "sub", "alice\r\nSigned in as: admin" },
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

    [Theory]
    [InlineData(1_795_000_000_000d)] // milliseconds, as some servers send
    [InlineData(253_402_300_799d)] // the last second of year 9999
    [InlineData(1e300)]
    public async Task SignInAsync_ExpiryFarAhead_Accepted(double exp)
    {
        _fixture.Server.IdTokenClaims["exp"] = exp;

        var result = await _fixture.SignIn.SignInAsync();

        Assert.Equal("alice", result.Account?.Subject);
    }

    [Theory]
    [InlineData("1e400")]
    [InlineData("-1e400")]
    [InlineData("-1")]
    [InlineData("0")]
    public async Task SignInWithDeviceCodeAsync_ExpiryOutOfRangeOrPast_RefusedAsInvalidIdToken(string exp)
    {
        _fixture.Server.ForcedIdToken = RawJwt($$"""{"iss":"{{AuthServerStub.Issuer}}","sub":"alice","aud":"{{SignInFixture.ClientId}}","exp":{{exp}}}""");

        var ex = await Assert.ThrowsAsync<AuthorizationFailedException>(DeviceSignInAsync);

        Assert.Equal("invalid_id_token", ex.Error);
    }

    [Theory]
    [InlineData("""{"iss":"{iss}","aud":"{aud}","exp":{exp},"sub":"mallory","sub":"alice"}""", "alice")]
    [InlineData("""{"iss":"{iss}","aud":"{aud}","exp":{exp},"sub":"alice","sub":"mallory"}""", "mallory")]
    [InlineData("""{"iss":"{iss}","sub":"alice","exp":{exp},"aud":"{aud}","aud":"another-app"}""", null)]
    [InlineData("""{"iss":"https://evil.example.com","sub":"alice","exp":{exp},"aud":"{aud}","iss":"{iss}"}""", "alice")]
    public async Task SignInWithDeviceCodeAsync_DuplicateClaims_RefusedOrTheLastOneRead(string template, string? lastSubject)
    {
        var exp = (_fixture.Time.GetUtcNow() + TimeSpan.FromMinutes(10)).ToUnixTimeSeconds();
        _fixture.Server.ForcedIdToken = RawJwt(template
            .Replace("{iss}", AuthServerStub.Issuer, StringComparison.Ordinal)
            .Replace("{aud}", SignInFixture.ClientId, StringComparison.Ordinal)
            .Replace("{exp}", exp.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));

        var outcome = await Record.ExceptionAsync(DeviceSignInAsync);

        // RFC 7519 §4: a JWT with duplicate claim names is refused, or only the lexically last of them is read.
        var account = (await _fixture.StoredAsync())?.Account;
        Assert.True(
            outcome is AuthorizationFailedException { Error: "invalid_id_token" } || (lastSubject is not null && account?.Subject == lastSubject),
            $"outcome: {outcome?.Message ?? "signed in"} as {account?.Subject}");
    }

    [Theory]
    [InlineData("!!!")]
    [InlineData("W10")] // []
    [InlineData("")]
    public async Task SignInWithDeviceCodeAsync_PayloadNotAJsonObject_Refused(string payload)
    {
        _fixture.Server.ForcedIdToken = $"eyJhbGciOiJub25lIn0.{payload}.";

        var ex = await Assert.ThrowsAsync<AuthorizationFailedException>(DeviceSignInAsync);

        Assert.Equal("invalid_id_token", ex.Error);
    }

    private Task<SignInResult> DeviceSignInAsync() => _fixture.RunOnClockAsync(_fixture.SignIn.SignInWithDeviceCodeAsync((_, _) => Task.CompletedTask));

    private static string RawJwt(string payload)
    {
        static string Part(string json) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return $"{Part("""{"alg":"none"}""")}.{Part(payload)}.";
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
    [InlineData("\u202Enimda")]
    [InlineData("Alice \u2066admin\u2069")]
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
