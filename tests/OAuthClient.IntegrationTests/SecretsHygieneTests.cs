using System.Text;
using OAuthClient.IntegrationTests.Support;
using OAuthClient.Samples;

namespace OAuthClient.IntegrationTests;

/// <summary>Secrets and tokens of a real flow never reach a log line (at Trace) or an exception message.</summary>
public sealed class SecretsHygieneTests
{
    [Fact]
    public async Task RealFlow_TraceLogsAndExceptions_HoldNoSecretOrToken()
    {
        await using var server = await DevAuthorizationServer.StartAsync();
        using var basic = new ClientHost(server);
        using var post = new ClientHost(server, o => o.ClientAuthentication = ClientAuthenticationMethod.ClientSecretPost);
        const string WrongSecret = "wr0ng:secret+%/value";
        using var wrong = new ClientHost(server, o => o.ClientSecret = WrongSecret);
        var tokens = new List<string>();
        var exceptions = new List<Exception>();

        await basic.WhoAmIAsync();
        tokens.Add((await basic.Tokens.GetTokenAsync(ClientHost.ClientName)).Value);
        server.RevokeIssuedAccessTokens();
        await basic.WhoAmIAsync(); // 401, renewal, retry
        tokens.Add((await basic.Tokens.GetTokenAsync(ClientHost.ClientName)).Value);
        await post.WhoAmIAsync();
        tokens.Add((await post.Tokens.GetTokenAsync(ClientHost.ClientName)).Value);
        exceptions.Add(await Assert.ThrowsAsync<TokenRequestException>(wrong.WhoAmIAsync));
        exceptions.Add(await Assert.ThrowsAsync<TokenRequestException>(() => wrong.Tokens.GetTokenAsync(ClientHost.ClientName).AsTask()));

        var lines = basic.Logs.Lines.Concat(post.Logs.Lines).Concat(wrong.Logs.Lines).Select(l => l.ToString()).ToList();
        var texts = lines.Concat(exceptions.Select(e => e.ToString())).ToList();
        var secrets = SecretForms(DevClients.WorkerClientSecret, basic.ClientId)
            .Concat(SecretForms(DevClients.WorkerClientSecret, post.ClientId))
            .Concat(SecretForms(WrongSecret, wrong.ClientId))
            .Concat(tokens)
            .ToList();

        // The logs are really there: token acquisition, the 401 retry, the failure, and the HttpClient's header lines.
        Assert.Contains(lines, l => l.Contains("got a Bearer token", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("answered 401", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("invalid_client", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Authorization:", StringComparison.Ordinal));
        Assert.Equal(3, tokens.Distinct(StringComparer.Ordinal).Count());
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(texts, t => t.Contains(secret, StringComparison.Ordinal));
        }
    }

    // The secret as typed, form-urlencoded (post body) and inside the Basic credentials (RFC 6749 §2.3.1).
    private static IEnumerable<string> SecretForms(string secret, string clientId)
    {
        var encoded = Uri.EscapeDataString(secret);
        yield return secret;
        yield return encoded;
        yield return Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(clientId)}:{encoded}"));
    }
}
