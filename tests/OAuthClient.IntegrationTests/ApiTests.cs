using System.Net;
using System.Net.Http.Headers;
using OAuthClient.IntegrationTests.Support;
using OAuthClient.Samples;

namespace OAuthClient.IntegrationTests;

/// <summary>The demo API answers like a resource server should (RFC 6750), so the client's 401 handling is tested against real answers.</summary>
public sealed class ApiTests(DevServerFixture fixture) : IClassFixture<DevServerFixture>, IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = fixture.Server.ApiBaseAddress };

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-jwt")]
    [InlineData("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")]
    public async Task WhoAmI_MissingOrInvalidToken_Answers401InvalidToken(string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "whoami");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Contains("error=\"invalid_token\"", challenge.Parameter, StringComparison.Ordinal);
    }

    public void Dispose() => _http.Dispose();
}
