using OAuthClient.Tests.Support;
using OAuthClient.Desktop.Tests.Support;

namespace OAuthClient.Desktop.Tests.Diagnostics;

public sealed class SecretHygieneTests : IDisposable
{
    private readonly SignInFixture _fixture = new();
    private readonly List<Exception> _exceptions = [];

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task EveryFlow_LogsAndExceptionMessages_HoldNoCodeVerifierStateNonceOrToken()
    {
        await _fixture.SignIn.SignInAsync();
        var secrets = new List<string> { TestBrowser.Code };
        secrets.AddRange(SignInSecrets());
        _fixture.Time.Advance(TimeSpan.FromMinutes(10));
        await _fixture.SignIn.GetAccessTokenAsync();
        await CaptureAsync(DeniedSignInAsync);
        secrets.AddRange(SignInSecrets());
        await CaptureAsync(() => ForgedIssSignInAsync());
        secrets.AddRange(SignInSecrets());
        await _fixture.Store.WriteAsync(_fixture.StoreKey, new StoredTokens { RefreshToken = "rejected-refresh-token-3b9" }, CancellationToken.None);
        _fixture.Time.Advance(TimeSpan.FromMinutes(10));
        await CaptureAsync(() => _fixture.SignIn.GetAccessTokenAsync().AsTask());
        await _fixture.SignIn.SignInAsync();
        secrets.AddRange(SignInSecrets());
        await _fixture.SignIn.SignOutAsync();
        secrets.AddRange(_fixture.Server.IssuedAccessTokens);
        secrets.AddRange(_fixture.Server.IssuedRefreshTokens);
        secrets.Add("rejected-refresh-token-3b9");

        var texts = _fixture.Logs.Lines.Select(l => l.ToString()).Concat(_exceptions.Select(e => e.ToString())).ToList();
        Assert.NotEmpty(_fixture.Logs.Lines);
        Assert.Equal(3, _exceptions.Count);
        foreach (var secret in secrets.Distinct())
        {
            Assert.DoesNotContain(texts, t => t.Contains(secret, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task ConfidentialDpopFlows_LogsAndExceptionMessages_HoldNoAssertionProofKeyOrToken()
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var privateD = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(key.ExportParameters(true).D!);
        _fixture.Options.ClientAuthentication = ClientAuthenticationMethod.PrivateKeyJwt;
        _fixture.Options.ClientAssertion.Jwk = TestKeys.PrivateJwk(key);
        _fixture.Options.Dpop.Enabled = true;
        _fixture.Server.DpopNonce = "server-nonce-5d1";

        await _fixture.SignIn.SignInAsync();
        _fixture.Time.Advance(TimeSpan.FromMinutes(10));
        await _fixture.SignIn.GetAccessTokenAsync();
        _fixture.Server.IgnoresDpop = true;
        _fixture.Time.Advance(TimeSpan.FromMinutes(10));
        await CaptureAsync(() => _fixture.SignIn.GetAccessTokenAsync().AsTask());
        await _fixture.SignIn.SignOutAsync();

        var secrets = new List<string> { privateD, TestBrowser.Code };
        secrets.AddRange(_fixture.Server.TokenRequests.Where(r => r.ContainsKey("client_assertion")).Select(r => r["client_assertion"]));
        secrets.AddRange(_fixture.Server.TokenRequestProofs.OfType<string>());
        secrets.AddRange(_fixture.Server.IssuedAccessTokens);
        secrets.AddRange(_fixture.Server.IssuedRefreshTokens);
        var texts = _fixture.Logs.Lines.Select(l => l.ToString()).Concat(_exceptions.Select(e => e.ToString())).ToList();
        Assert.True(secrets.Count > 6, "the flows should have sent assertions, proofs and tokens");
        Assert.Single(_exceptions);
        foreach (var secret in secrets.Distinct())
        {
            Assert.DoesNotContain(texts, t => t.Contains(secret, StringComparison.Ordinal));
        }

        Assert.DoesNotContain(privateD, _fixture.Options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToString_TokensAndGrants_Redacted()
    {
        var token = await _fixture.SignIn.SignInAsync();
        var stored = await _fixture.StoredAsync();

        Assert.DoesNotContain(token.AccessToken.Value, token.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(stored!.RefreshToken!, stored.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(stored.AccessToken!, stored.ToString(), StringComparison.Ordinal);
    }

    private IEnumerable<string> SignInSecrets()
    {
        var query = _fixture.Browser.LastQuery;
        yield return query["state"];
        yield return query["nonce"];
        yield return query["code_challenge"];
        foreach (var request in _fixture.Server.TokenRequests.Where(r => r.ContainsKey("code_verifier")))
        {
            yield return request["code_verifier"];
        }
    }

    private Task DeniedSignInAsync()
    {
        _fixture.Browser.Respond = q => new() { ["error"] = "access_denied", ["state"] = q["state"], ["iss"] = AuthServerStub.Issuer };
        return _fixture.SignIn.SignInAsync();
    }

    private Task<SignInResult> ForgedIssSignInAsync()
    {
        _fixture.Browser.Respond = q => new() { ["code"] = TestBrowser.Code, ["state"] = q["state"], ["iss"] = "https://evil.example.com" };
        var signingIn = _fixture.SignIn.SignInAsync();
        _fixture.Browser.Respond = TestBrowser.DefaultResponse;
        return signingIn;
    }

    private async Task CaptureAsync(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception ex)
        {
            _exceptions.Add(ex);
        }
    }
}
