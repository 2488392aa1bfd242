using System.Net;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using OAuthClient.Tests.Support;

namespace OAuthClient.Tests.Diagnostics;

/// <summary>Runs private_key_jwt and DPoP, nonce round trips and failures included, and checks that no key, assertion or proof is logged or thrown.</summary>
public sealed class KeySecretsHygieneTests : IDisposable
{
    private readonly TestServices _services = new();
    private readonly RSA _rsa = TestKeys.Rsa();
    private readonly ECDsa _dpopKey = TestKeys.EcP256();

    public KeySecretsHygieneTests()
    {
        _services.TokenEndpoint.TokenType = "DPoP";
        _services.Configure = o =>
        {
            o.ClientSecret = null;
            o.ClientAuthentication = ClientAuthenticationMethod.PrivateKeyJwt;
            o.ClientAssertion.Jwk = TestKeys.PrivateJwk(_rsa);
            o.Dpop.Enabled = true;
            o.Dpop.Jwk = TestKeys.PrivateJwk(_dpopKey);
        };
    }

    public void Dispose()
    {
        _services.Dispose();
        _rsa.Dispose();
        _dpopKey.Dispose();
    }

    [Fact]
    public async Task PrivateKeyJwtAndDpop_TraceLogsAndErrors_HoldNoKeyAssertionProofOrToken()
    {
        using var client = _services.CreateClient();
        _services.TokenEndpoint.Then(() => Nonce(TokenEndpointStub.Error(HttpStatusCode.BadRequest, "use_dpop_nonce", "nonce please"), "as-nonce"));
        var apiCalls = 0;
        _services.Api.Respond = _ => Interlocked.Increment(ref apiCalls) switch
        {
            1 => ApiNonce(),
            3 => ApiStub.Unauthorized(),
            _ => new HttpResponseMessage(HttpStatusCode.OK),
        };
        for (var i = 0; i < 3; i++)
        {
            (await client.GetAsync("orders?id=1")).Dispose();
        }

        // A Bearer answer to a DPoP request, and an invalid_client refusal.
        _services.Time.Advance(TimeSpan.FromHours(1));
        _services.TokenEndpoint.Then(() => TokenEndpointStub.Json(HttpStatusCode.OK, """{"access_token":"bearer-secret-token","token_type":"Bearer"}"""));
        var errors = new List<Exception> { await Assert.ThrowsAsync<TokenRequestException>(() => client.GetAsync("orders")) };
        _services.TokenEndpoint.Then(() => TokenEndpointStub.Error(HttpStatusCode.Unauthorized, "invalid_client", "Bad assertion."));
        errors.Add(await Assert.ThrowsAsync<TokenRequestException>(() => client.GetAsync("orders")));

        var secrets = new List<string>(_services.TokenEndpoint.Issued) { "bearer-secret-token" };
        foreach (var request in _services.TokenEndpoint.Requests)
        {
            secrets.Add(request.Fields["client_assertion"]);
            secrets.Add(new JsonWebToken(request.Fields["client_assertion"]).EncodedSignature);
            secrets.Add(request.Dpop!);
        }

        secrets.AddRange(_services.Api.Calls.Select(c => c.Dpop!));
        secrets.Add(new Microsoft.IdentityModel.Tokens.JsonWebKey(TestKeys.PrivateJwk(_rsa)).D);
        secrets.Add(new Microsoft.IdentityModel.Tokens.JsonWebKey(TestKeys.PrivateJwk(_dpopKey)).D);
        Assert.True(secrets.Count > 10);
        Assert.NotEmpty(_services.Logs.Lines);
        foreach (var secret in secrets)
        {
            Assert.All(_services.Logs.Lines, line => Assert.DoesNotContain(secret, line.ToString(), StringComparison.Ordinal));
            Assert.All(errors, error => Assert.DoesNotContain(secret, error.ToString(), StringComparison.Ordinal));
        }
    }

    private static HttpResponseMessage Nonce(HttpResponseMessage response, string nonce)
    {
        response.Headers.Add("DPoP-Nonce", nonce);
        return response;
    }

    private static HttpResponseMessage ApiNonce()
    {
        var response = new HttpResponseMessage(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ParseAdd("DPoP error=\"use_dpop_nonce\"");
        return Nonce(response, "rs-nonce");
    }
}
