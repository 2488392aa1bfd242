using System.Text;
using Microsoft.Extensions.DependencyInjection;
using OAuthClient.Tests.Support;

namespace OAuthClient.Tests.TokenExchange;

/// <summary>
/// A downstream HttpClient with token exchange, wired as users wire it: a client-credentials token client ("front-api")
/// that sends the exchange, MockHttp endpoints and a fake clock. The user of a request is set per request.
/// </summary>
public sealed class TokenExchangeHost : IDisposable
{
    public const string ClientName = "downstream";
    public const string TokenClientName = "front-api";
    public const string Audience = "downstream-api";

    private static readonly HttpRequestOptionsKey<string> UserKey = new("test:user");

    private readonly TestServices _services = new();

    public TokenExchangeHost(Action<TokenExchangeOptions>? configure = null, bool withSubjectSource = true, Action<IHttpClientBuilder>? pipeline = null, Action<IHttpClientBuilder>? pipelineAfter = null,
        Action<ClientCredentialsOptions>? tokenClient = null)
    {
        // An exchanged token names the subject it was issued for, so a test sees whose token each call carried.
        TokenEndpoint.TokenFor = fields => fields.TryGetValue("subject_token", out var subject) ? $"for-{Uri.EscapeDataString(subject)}" : null;
        _services.ConfigureServices = services =>
        {
            services.AddClientCredentialsTokenClient(TokenClientName, o =>
            {
                TestServices.Defaults(o);
                tokenClient?.Invoke(o);
            });
            var builder = services.AddHttpClient(ClientName, c => c.BaseAddress = ApiStub.BaseAddress)
                .ConfigurePrimaryHttpMessageHandler(() => _services.Api.Handler);
            pipeline?.Invoke(builder);
            builder.AddTokenExchange(o =>
            {
                o.TokenClientName = TokenClientName;
                o.Audience = Audience;
                configure?.Invoke(o);
            });
            if (withSubjectSource)
            {
                builder.UseSubjectTokenSource(_ => Subjects);
            }

            pipelineAfter?.Invoke(builder);
        };
    }

    public TestSubjects Subjects { get; } = new();

    public TokenEndpointStub TokenEndpoint => _services.TokenEndpoint;

    public ApiStub Api => _services.Api;

    public Microsoft.Extensions.Time.Testing.FakeTimeProvider Time => _services.Time;

    public CapturingLoggerProvider Logs => _services.Logs;

    public IServiceProvider Services => _services.Services;

    public HttpClient CreateClient() => Services.GetRequiredService<IHttpClientFactory>().CreateClient(ClientName);

    /// <summary>Makes a request on behalf of <paramref name="user"/> (its subject token), or of nobody.</summary>
    public static HttpRequestMessage For(string? user, string path = "profile")
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        if (user is not null)
        {
            request.Options.Set(UserKey, user);
        }

        return request;
    }

    /// <summary>Makes an unsigned JWT-shaped subject token for <paramref name="sub"/> that expires at <paramref name="expires"/>.</summary>
    public static string Jwt(string sub, DateTimeOffset expires)
    {
        static string Part(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return $"{Part("""{"alg":"RS256","typ":"at+jwt"}""")}.{Part($$"""{"sub":"{{sub}}","exp":{{expires.ToUnixTimeSeconds()}}}""")}.c2lnbmF0dXJl";
    }

    /// <summary>Gets the exchange requests (not the client-credentials ones) the token endpoint received.</summary>
    public IReadOnlyList<TokenEndpointStub.RecordedRequest> Exchanges =>
        TokenEndpoint.Requests.Where(r => r.Fields["grant_type"] == "urn:ietf:params:oauth:grant-type:token-exchange").ToList();

    public void Dispose() => _services.Dispose();

    /// <summary>Reads the user a test request is for; counts its calls.</summary>
    public sealed class TestSubjects : ISubjectTokenSource
    {
        private int _calls;

        public int Calls => _calls;

        /// <summary>Gets or sets the subject token type every subject is given.</summary>
        public string TokenType { get; set; } = TokenTypeIdentifiers.AccessToken;

        public SubjectToken? GetSubjectToken(HttpRequestMessage request)
        {
            Interlocked.Increment(ref _calls);
            return request.Options.TryGetValue(UserKey, out var user) ? new SubjectToken(user, TokenType) : null;
        }
    }
}
