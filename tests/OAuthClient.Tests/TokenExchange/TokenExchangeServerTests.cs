using System.Net;
using OAuthClient.Tests.Support;

namespace OAuthClient.Tests.TokenExchange;

/// <summary>
/// A careless or hostile authorization server: a refresh token it calls Bearer never reaches the API, a subject it quotes
/// back never reaches the exception, and an actor token it refused is not kept in use.
/// </summary>
public sealed class TokenExchangeServerTests : IDisposable
{
    private TokenExchangeHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task SendAsync_ExchangeIssuesARefreshTokenCalledBearer_NotSentToTheApi()
    {
        // RFC 8693 §2.2.1: a token that is not an access token comes with token_type N_A. A server that says Bearer anyway
        // must not make the front API hand a refresh token (long-lived, for the token endpoint only) to a resource server.
        _host.TokenEndpoint.Then(() => TokenEndpointStub.Json(HttpStatusCode.OK,
            """{"access_token":"users-refresh-token","token_type":"Bearer","issued_token_type":"urn:ietf:params:oauth:token-type:refresh_token","expires_in":300}"""));
        using var client = _host.CreateClient();

        await Assert.ThrowsAsync<TokenRequestException>(() => client.SendAsync(TokenExchangeHost.For("alice-token")));

        Assert.Empty(_host.Api.Calls);
    }

    [Fact]
    public async Task SendAsync_ErrorDescriptionEchoesTheSubject_SubjectNotInTheException()
    {
        // Front APIs log exceptions; a server that quotes the token it refused must not put the user's token in those logs.
        _host.TokenEndpoint.Then(() => TokenEndpointStub.Error(HttpStatusCode.BadRequest, "invalid_grant", "token alice-secret-subject has expired"));
        using var client = _host.CreateClient();

        var ex = await Assert.ThrowsAsync<TokenRequestException>(() => client.SendAsync(TokenExchangeHost.For("alice-secret-subject")));

        Assert.DoesNotContain("alice-secret-subject", ex.ToString());
        Assert.DoesNotContain("alice-secret-subject", ex.ErrorDescription ?? "");
    }

    [Fact]
    public async Task SendAsync_ExchangeRefusedWithActorToken_NextExchangeDoesNotReuseThatActorToken()
    {
        // The server refused the actor (revoked, or signed with a retired key): every user's exchange fails until the
        // cached client-credentials token expires (up to its lifetime), since nothing ever drops it.
        Recreate(o => o.UseActorToken = true);
        using var client = _host.CreateClient();
        using var first = await client.SendAsync(TokenExchangeHost.For("alice-token"));
        _host.TokenEndpoint.Then(() => TokenEndpointStub.Error(HttpStatusCode.BadRequest, "invalid_grant", "the actor token is revoked"));
        await Assert.ThrowsAsync<TokenRequestException>(() => client.SendAsync(TokenExchangeHost.For("bob-token")));

        using var carol = await client.SendAsync(TokenExchangeHost.For("carol-token"));

        Assert.NotEqual("access-token-1", _host.Exchanges[^1].Fields["actor_token"]);
    }

    [Fact]
    public async Task SendAsync_ManyRefusedSubjects_ActorTokenDroppedAtMostOncePer30Seconds()
    {
        // Bad subjects from callers must not make the service fetch a client-credentials token for each of them.
        Recreate(o => o.UseActorToken = true);
        _host.TokenEndpoint.AnswerFor = fields => fields.TryGetValue("subject_token", out var subject) && subject.StartsWith("forged", StringComparison.Ordinal)
            ? TokenEndpointStub.Error(HttpStatusCode.BadRequest, "invalid_grant", "bad subject")
            : null;
        using var client = _host.CreateClient();
        int ClientCredentialsRequests() => _host.TokenEndpoint.Requests.Count(r => r.Fields["grant_type"] == "client_credentials");

        for (var i = 0; i < 5; i++)
        {
            await Assert.ThrowsAsync<TokenRequestException>(() => client.SendAsync(TokenExchangeHost.For($"forged-{i}")));
        }

        // The first refusal dropped the actor token; the next four reused its replacement.
        Assert.Equal(2, ClientCredentialsRequests());

        _host.Time.Advance(TimeSpan.FromSeconds(31));
        await Assert.ThrowsAsync<TokenRequestException>(() => client.SendAsync(TokenExchangeHost.For("forged-late")));
        using var ok = await client.SendAsync(TokenExchangeHost.For("alice-token"));
        Assert.Equal(3, ClientCredentialsRequests());
    }

    [Fact]
    public async Task SendAsync_ExchangeIssuesTheTypeAskedFor_Accepted()
    {
        _host.TokenEndpoint.Then(() => TokenEndpointStub.Json(HttpStatusCode.OK,
            """{"access_token":"downstream-token","token_type":"Bearer","issued_token_type":"urn:ietf:params:oauth:token-type:access_token","expires_in":300}"""));
        using var client = _host.CreateClient();

        using var response = await client.SendAsync(TokenExchangeHost.For("alice-token"));

        Assert.Equal("downstream-token", Assert.Single(_host.Api.Calls).Token);
    }

    private void Recreate(Action<TokenExchangeOptions> configure)
    {
        _host.Dispose();
        _host = new TokenExchangeHost(configure);
    }
}
