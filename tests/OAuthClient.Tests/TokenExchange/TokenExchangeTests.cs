using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OAuthClient.Tests.Support;

namespace OAuthClient.Tests.TokenExchange;

/// <summary>Token exchange (RFC 8693) through the public API: the request, the per-user cache, expiry, errors and the 401 retry.</summary>
public sealed class TokenExchangeTests : IDisposable
{
    private TokenExchangeHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task SendAsync_UserRequest_ExchangesTheSubjectForTheAudience()
    {
        using var client = _host.CreateClient();

        using var response = await client.SendAsync(TokenExchangeHost.For("alice-token"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var exchange = Assert.Single(_host.TokenEndpoint.Requests);
        Assert.Equal("urn:ietf:params:oauth:grant-type:token-exchange", exchange.Fields["grant_type"]);
        Assert.Equal("alice-token", exchange.Fields["subject_token"]);
        Assert.Equal(TokenTypeIdentifiers.AccessToken, exchange.Fields["subject_token_type"]);
        Assert.Equal(TokenTypeIdentifiers.AccessToken, exchange.Fields["requested_token_type"]);
        Assert.Equal(TokenExchangeHost.Audience, exchange.Fields["audience"]);
        Assert.False(exchange.Fields.ContainsKey("actor_token"));
        Assert.False(exchange.Fields.ContainsKey("scope"));
        // The token client's own authentication (client_secret_basic), not a second set of credentials.
        Assert.StartsWith("Basic ", exchange.Authorization);
        var call = Assert.Single(_host.Api.Calls);
        Assert.Equal("Bearer", call.Scheme);
        Assert.Equal("for-alice-token-1", call.Token);
    }

    [Fact]
    public async Task SendAsync_UseActorToken_SendsTheTokenClientsOwnTokenAsActor()
    {
        Recreate(o => { o.UseActorToken = true; o.Scope = "profile.read"; o.Resource = "https://profile.example.com/"; });
        using var client = _host.CreateClient();

        using var first = await client.SendAsync(TokenExchangeHost.For("alice-token"));
        using var second = await client.SendAsync(TokenExchangeHost.For("bob-token"));

        // One client-credentials token (the actor), cached as usual and sent with both exchanges.
        var requests = _host.TokenEndpoint.Requests.ToList();
        Assert.Equal(3, requests.Count);
        Assert.Equal("client_credentials", requests[0].Fields["grant_type"]);
        Assert.All(_host.Exchanges, e =>
        {
            Assert.Equal("access-token-1", e.Fields["actor_token"]);
            Assert.Equal(TokenTypeIdentifiers.AccessToken, e.Fields["actor_token_type"]);
            Assert.Equal("profile.read", e.Fields["scope"]);
            Assert.Equal("https://profile.example.com/", e.Fields["resource"]);
        });
    }

    [Fact]
    public async Task SendAsync_SameUserTwice_OneExchange()
    {
        using var client = _host.CreateClient();

        using var first = await client.SendAsync(TokenExchangeHost.For("alice-token"));
        using var second = await client.SendAsync(TokenExchangeHost.For("alice-token"));

        Assert.Single(_host.Exchanges);
        Assert.All(_host.Api.Calls, c => Assert.Equal("for-alice-token-1", c.Token));
    }

    [Fact]
    public async Task SendAsync_TwoUsers_EachGetsTheirOwnToken()
    {
        using var client = _host.CreateClient();

        foreach (var user in new[] { "alice-token", "bob-token", "alice-token", "bob-token" })
        {
            using var response = await client.SendAsync(TokenExchangeHost.For(user));
        }

        Assert.Equal(2, _host.Exchanges.Count);
        Assert.Equal(["for-alice-token-1", "for-bob-token-2", "for-alice-token-1", "for-bob-token-2"], _host.Api.Calls.Select(c => c.Token));
    }

    [Theory]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnA", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnB")] // one character apart, at the end
    [InlineData("token", "token ")] // a prefix of the other
    [InlineData("ab", "ba")] // same characters, swapped
    [InlineData("\u0100", "\u0001\u0001")] // same UTF-16 byte count, different text
    [InlineData("\u00e9", "e\u0301")] // the same letter, composed and decomposed: different tokens all the same
    public async Task SendAsync_NearlyTheSameSubjects_NeverShareAToken(string one, string other)
    {
        using var client = _host.CreateClient();

        using var first = await client.SendAsync(TokenExchangeHost.For(one));
        using var second = await client.SendAsync(TokenExchangeHost.For(other));
        using var third = await client.SendAsync(TokenExchangeHost.For(one));

        Assert.Equal(2, _host.Exchanges.Count);
        Assert.Equal(
            [$"for-{Uri.EscapeDataString(one)}-1", $"for-{Uri.EscapeDataString(other)}-2", $"for-{Uri.EscapeDataString(one)}-1"],
            _host.Api.Calls.Select(c => c.Token));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task SendAsync_SubjectWithLoneSurrogate_RefusedNotConfused(int where)
    {
        // Built here: attribute data cannot hold a lone surrogate (it would arrive as U+FFFD).
        var subject = where == 0 ? "\ud800x" : "x\udfff";
        // Replacing a lone surrogate with U+FFFD would give every such token the same key.
        using var client = _host.CreateClient();

        var ex = await Assert.ThrowsAsync<MissingSubjectTokenException>(() => client.SendAsync(TokenExchangeHost.For(subject)));

        Assert.Contains("not valid text", ex.Message);
        Assert.Equal(0, _host.TokenEndpoint.RequestCount);
        Assert.Empty(_host.Api.Calls);
    }

    [Fact]
    public async Task SendAsync_SameTokenTextOfAnotherType_ExchangedApart()
    {
        using var client = _host.CreateClient();
        using var asAccessToken = await client.SendAsync(TokenExchangeHost.For("same-text"));

        _host.Subjects.TokenType = TokenTypeIdentifiers.IdToken;
        using var asIdToken = await client.SendAsync(TokenExchangeHost.For("same-text"));

        Assert.Equal([TokenTypeIdentifiers.AccessToken, TokenTypeIdentifiers.IdToken], _host.Exchanges.Select(e => e.Fields["subject_token_type"]));
    }

    [Fact]
    public async Task SendAsync_200ConcurrentRequestsOfOneUser_OneExchange()
    {
        var gate = new TaskCompletionSource();
        _host.TokenEndpoint.Gate = gate.Task;
        using var client = _host.CreateClient();

        var calls = Enumerable.Range(0, 200).Select(_ => client.SendAsync(TokenExchangeHost.For("alice-token"))).ToList();
        gate.SetResult();
        var responses = await Task.WhenAll(calls);

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Single(_host.Exchanges);
        Assert.All(_host.Api.Calls, c => Assert.Equal("for-alice-token-1", c.Token));
        Assert.Equal(200, _host.Api.Calls.Count);
    }

    [Fact]
    public async Task SendAsync_TwoUsersConcurrently_TwoExchangesNeverCrossed()
    {
        var gate = new TaskCompletionSource();
        _host.TokenEndpoint.Gate = gate.Task;
        using var client = _host.CreateClient();

        var calls = Enumerable.Range(0, 200)
            .Select(i => (User: i % 2 == 0 ? "alice-token" : "bob-token", Index: i))
            .Select(async c =>
            {
                using var request = TokenExchangeHost.For(c.User, $"calls/{c.Index}");
                using var response = await client.SendAsync(request);
                return response.StatusCode;
            })
            .ToList();
        gate.SetResult();
        await Task.WhenAll(calls);

        Assert.Equal(2, _host.Exchanges.Count);
        Assert.All(_host.Api.Calls, c =>
        {
            var index = int.Parse(c.Uri.Segments[^1], System.Globalization.CultureInfo.InvariantCulture);
            Assert.StartsWith(index % 2 == 0 ? "for-alice-token-" : "for-bob-token-", c.Token);
        });
    }

    [Fact]
    public async Task SendAsync_SubjectJwtExpiresFirst_NotServedPastTheSubjectsExpiry()
    {
        // The exchanged token would last 300 s; the user's own token only 60 s more.
        var subject = TokenExchangeHost.Jwt("alice", _host.Time.GetUtcNow().AddSeconds(60));
        using var client = _host.CreateClient();
        using var first = await client.SendAsync(TokenExchangeHost.For(subject));

        _host.Time.Advance(TimeSpan.FromSeconds(59));
        using var before = await client.SendAsync(TokenExchangeHost.For(subject));
        Assert.Single(_host.Exchanges);

        _host.Time.Advance(TimeSpan.FromSeconds(2));
        using var after = await client.SendAsync(TokenExchangeHost.For(subject));
        Assert.Equal(2, _host.Exchanges.Count);
    }

    [Fact]
    public async Task SendAsync_SubjectSourceReturnsDefault_MissingSubjectTokenAndNothingSent()
    {
        // A careless source that answers `default` (or `new SubjectToken()`) for "no user": no token, so no user either.
        _host.Dispose();
        _host = new TokenExchangeHost(withSubjectSource: false, pipelineAfter: b => b.UseSubjectTokenSource(_ => new DefaultSubjectSource()));
        using var client = _host.CreateClient();

        await Assert.ThrowsAsync<MissingSubjectTokenException>(() => client.SendAsync(TokenExchangeHost.For("alice-token")));

        Assert.Equal(0, _host.TokenEndpoint.RequestCount);
        Assert.Empty(_host.Api.Calls);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(10)]
    public async Task SendAsync_SmallCacheFull_LeastRecentlyUsedMakesRoomForANewUser(int maxCachedTokens)
    {
        Recreate(o => o.MaxCachedTokens = maxCachedTokens);
        using var client = _host.CreateClient();
        for (var i = 0; i < maxCachedTokens; i++)
        {
            using var response = await client.SendAsync(TokenExchangeHost.For($"user-{i}"));
        }

        // The memory cache refuses the newcomer's first token and compacts on the thread pool; then it keeps the next.
        var served = false;
        for (var attempt = 0; attempt < 100 && !served; attempt++)
        {
            var before = _host.Exchanges.Count;
            using var response = await client.SendAsync(TokenExchangeHost.For("newcomer"));
            served = attempt > 0 && _host.Exchanges.Count == before;
            await Task.Delay(10);
        }

        Assert.True(served, $"The newcomer was exchanged {_host.Exchanges.Count - maxCachedTokens} times and never served from the cache.");
    }

    [Fact]
    public async Task SendAsync_OpaqueSubject_KeptUntilTheExchangedTokensRenewal()
    {
        using var client = _host.CreateClient();
        using var first = await client.SendAsync(TokenExchangeHost.For("opaque-token"));

        // expires_in 300, renewed 60 s before: fresh for 240 s.
        _host.Time.Advance(TimeSpan.FromSeconds(239));
        using var fresh = await client.SendAsync(TokenExchangeHost.For("opaque-token"));
        Assert.Single(_host.Exchanges);

        _host.Time.Advance(TimeSpan.FromSeconds(62));
        using var expired = await client.SendAsync(TokenExchangeHost.For("opaque-token"));
        Assert.Equal(2, _host.Exchanges.Count);
    }

    [Theory]
    [InlineData("invalid_grant", "the server refused the subject token")]
    [InlineData("invalid_target", "does not know the audience or resource")]
    [InlineData("unauthorized_client", "may not use token exchange")]
    public async Task SendAsync_ExchangeRefused_TypedErrorAndNothingCached(string error, string explained)
    {
        _host.TokenEndpoint.Then(() => TokenEndpointStub.Error(HttpStatusCode.BadRequest, error, "refused by test"));
        using var client = _host.CreateClient();

        var ex = await Assert.ThrowsAsync<TokenRequestException>(() => client.SendAsync(TokenExchangeHost.For("alice-secret-subject")));

        Assert.Equal(error, ex.Error);
        Assert.Equal("refused by test", ex.ErrorDescription);
        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        Assert.Contains(explained, ex.Message);
        Assert.DoesNotContain("alice-secret-subject", ex.ToString());
        Assert.Empty(_host.Api.Calls);

        using var retried = await client.SendAsync(TokenExchangeHost.For("alice-secret-subject"));
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Equal(2, _host.Exchanges.Count);
    }

    [Fact]
    public async Task SendAsync_ApiAnswers401_DropsThatUsersTokenAndRetriesOnce()
    {
        using var client = _host.CreateClient();
        using var bob = await client.SendAsync(TokenExchangeHost.For("bob-token"));
        using var alice = await client.SendAsync(TokenExchangeHost.For("alice-token"));
        var answers = new Queue<HttpResponseMessage>([ApiStub.Unauthorized(), new HttpResponseMessage(HttpStatusCode.OK)]);
        _host.Api.Respond = _ => answers.Count > 0 ? answers.Dequeue() : new HttpResponseMessage(HttpStatusCode.OK);

        using var retried = await client.SendAsync(TokenExchangeHost.For("alice-token"));
        using var bobAgain = await client.SendAsync(TokenExchangeHost.For("bob-token"));

        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Equal(
            ["for-bob-token-1", "for-alice-token-2", "for-alice-token-2", "for-alice-token-3", "for-bob-token-1"],
            _host.Api.Calls.Select(c => c.Token));
        Assert.Equal(3, _host.Exchanges.Count);
    }

    [Fact]
    public async Task SendAsync_ApiAnswers401Twice_SecondGoesToTheCaller()
    {
        _host.Api.Respond = _ => ApiStub.Unauthorized();
        using var client = _host.CreateClient();

        using var response = await client.SendAsync(TokenExchangeHost.For("alice-token"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(2, _host.Api.Calls.Count);
        Assert.Equal(2, _host.Exchanges.Count);
    }

    [Fact]
    public async Task SendAsync_NoSubject_MissingSubjectTokenExceptionAndNothingSent()
    {
        using var client = _host.CreateClient();

        var ex = await Assert.ThrowsAsync<MissingSubjectTokenException>(() => client.SendAsync(TokenExchangeHost.For(user: null)));

        Assert.Equal(TokenExchangeHost.ClientName, ex.ClientName);
        Assert.Empty(_host.Api.Calls);
        Assert.Equal(0, _host.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task SendAsync_AnotherOrigin_NoExchangeAndNoToken()
    {
        using var client = _host.CreateClient();

        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri("https://elsewhere.example.net/x")));

        Assert.Equal(0, _host.TokenEndpoint.RequestCount);
        Assert.Null(Assert.Single(_host.Api.Calls).Token);
        // The subject source is not even asked for a request that gets no token.
        Assert.Equal(0, _host.Subjects.Calls);
    }

    [Fact]
    public void Send_Synchronous_CarriesTheUsersToken()
    {
        using var client = _host.CreateClient();

        using var response = client.Send(TokenExchangeHost.For("alice-token"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("for-alice-token-1", Assert.Single(_host.Api.Calls).Token);
    }

    [Fact]
    public void CreateClient_NoSubjectTokenSource_SaysHowToAddOne()
    {
        _host.Dispose();
        _host = new TokenExchangeHost(withSubjectSource: false);

        var ex = Assert.Throws<InvalidOperationException>(() => _host.CreateClient());

        Assert.Contains("UseIncomingAccessToken", ex.Message);
        Assert.Contains(TokenExchangeHost.ClientName, ex.Message);
    }

    [Fact]
    public void Start_InvalidOptions_EveryProblemAtOnce()
    {
        Recreate(o =>
        {
            o.TokenClientName = null;
            o.Audience = null;
            o.RequestedTokenType = "access_token";
            o.MaxCachedTokens = 0;
            o.Parameters["subject_token"] = "x";
            o.ApiOrigins.Add(new Uri("/relative", UriKind.Relative));
        });

        var ex = Assert.Throws<OptionsValidationException>(() => _host.Services.GetRequiredService<IOptionsMonitor<TokenExchangeOptions>>().Get(TokenExchangeHost.ClientName));

        Assert.Equal(6, ex.Failures.Count());
        Assert.All(ex.Failures, f => Assert.Contains($"token exchange '{TokenExchangeHost.ClientName}'", f));
    }

    [Fact]
    public void CreateClient_UnknownTokenClient_SaysWhichNameIsMissing()
    {
        Recreate(o => o.TokenClientName = "not-registered");

        var ex = Assert.Throws<InvalidOperationException>(() => _host.CreateClient());

        Assert.Contains("not-registered", ex.Message);
        Assert.Equal(0, _host.TokenEndpoint.RequestCount);
    }

    [Fact]
    public async Task Logs_NeverHoldSubjectOrExchangedTokens()
    {
        _host.TokenEndpoint.Then(() => TokenEndpointStub.Error(HttpStatusCode.BadRequest, "invalid_grant", "expired"));
        using var client = _host.CreateClient();
        await Assert.ThrowsAsync<TokenRequestException>(() => client.SendAsync(TokenExchangeHost.For("subject-secret-1")));
        using var ok = await client.SendAsync(TokenExchangeHost.For("subject-secret-1"));
        _host.Api.Respond = _ => ApiStub.Unauthorized();
        using var rejected = await client.SendAsync(TokenExchangeHost.For("subject-secret-1"));

        Assert.NotEmpty(_host.Logs.Lines);
        Assert.All(_host.Logs.Lines, line =>
        {
            Assert.DoesNotContain("subject-secret", line.Message);
            Assert.DoesNotContain("for-subject", line.Message);
        });
    }

    [Fact]
    public void SubjectToken_ToString_Redacted()
    {
        var subject = new SubjectToken("secret-subject-token");

        Assert.DoesNotContain("secret-subject-token", subject.ToString());
        Assert.Throws<ArgumentException>(() => new SubjectToken(""));
    }

    private void Recreate(Action<TokenExchangeOptions> configure)
    {
        _host.Dispose();
        _host = new TokenExchangeHost(configure);
    }

    private sealed class DefaultSubjectSource : ISubjectTokenSource
    {
        public SubjectToken? GetSubjectToken(HttpRequestMessage request) => default(SubjectToken);
    }
}
