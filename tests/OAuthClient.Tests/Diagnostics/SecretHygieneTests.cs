using System.Net;
using System.Text;
using OAuthClient.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace OAuthClient.Tests.Diagnostics;

/// <summary>Runs each flow with every log line captured at Trace and checks that no secret or token shows anywhere.</summary>
public sealed class SecretHygieneTests : IDisposable
{
    private readonly TestServices _services = new();
    private readonly List<Exception> _errors = [];

    public SecretHygieneTests()
    {
        // One client per failure, so each failure is a flight of its own.
        _services.ConfigureServices = services =>
        {
            for (var i = 0; i < 4; i++)
            {
                services.AddHttpClient($"failing-{i}", c => c.BaseAddress = ApiStub.BaseAddress).AddClientCredentialsToken(TestServices.Defaults);
            }
        };
    }

    public void Dispose() => _services.Dispose();

    [Fact]
    public async Task AllFlows_TraceLogsAndErrors_HoldNoSecretOrToken()
    {
        using var client = _services.CreateClient();

        // Success, cache hit, 401 and retry.
        var calls = 0;
        _services.Api.Respond = _ => Interlocked.Increment(ref calls) == 2 ? ApiStub.Unauthorized() : new HttpResponseMessage(HttpStatusCode.OK);
        for (var i = 0; i < 3; i++)
        {
            (await client.GetAsync("orders")).Dispose();
        }

        // Failures: an OAuth error, a body that is not JSON, a network error, a token the header cannot carry.
        await FailAsync(() => TokenEndpointStub.Error(HttpStatusCode.Unauthorized, "invalid_client", "Bad secret."));
        await FailAsync(() => TokenEndpointStub.Json(HttpStatusCode.OK, "<html>" + TestServices.ClientSecret + "</html>"));
        await FailAsync(() => throw new HttpRequestException("Connection refused"), times: 3);
        await FailAsync(() => TokenEndpointStub.Json(HttpStatusCode.OK, """{"access_token":"leaky\ntoken","token_type":"Bearer"}"""));

        var secrets = _services.TokenEndpoint.Issued.Append(TestServices.ClientSecret).Append("leaky").ToArray();
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes("worker:s3cr%3Aet%2Bv%25al%2Fue"));
        Assert.NotEmpty(_services.Logs.Lines);
        Assert.Equal(4, _errors.Count);
        foreach (var secret in secrets.Append(basic))
        {
            Assert.All(_services.Logs.Lines, line => Assert.DoesNotContain(secret, line.ToString(), StringComparison.Ordinal));
            Assert.All(_errors, error => Assert.DoesNotContain(secret, error.ToString(), StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task ToString_OptionsAndToken_Redacted()
    {
        var options = new ClientCredentialsOptions();
        TestServices.Defaults(options);
        var token = await _services.TokenProvider.GetTokenAsync(TestServices.ClientName);

        Assert.DoesNotContain(TestServices.ClientSecret, options.ToString(), StringComparison.Ordinal);
        Assert.Contains("[redacted]", options.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(token.Value, token.ToString(), StringComparison.Ordinal);
        Assert.Contains("[redacted]", token.ToString(), StringComparison.Ordinal);
    }

    private async Task FailAsync(Func<HttpResponseMessage> answer, int times = 1)
    {
        for (var i = 0; i < times; i++)
        {
            _services.TokenEndpoint.Then(answer);
        }

        var name = $"failing-{_errors.Count}";
        _errors.Add(await Assert.ThrowsAsync<TokenRequestException>(() => _services.TokenProvider.GetTokenAsync(name).AsTask()));
    }
}
