using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using RichardSzalay.MockHttp;

namespace OAuthClient.Desktop.Tests.Support;

/// <summary>
/// An authorization server on MockHttp: discovery, a token endpoint for the code and refresh grants (with
/// refresh token rotation unless told otherwise) and a revocation endpoint. It records every request.
/// </summary>
public sealed class AuthServerStub
{
    public const string Issuer = "https://login.example.com";
    public static readonly Uri Authority = new("https://login.example.com/");
    public static readonly Uri AuthorizeEndpoint = new("https://login.example.com/connect/authorize");
    public static readonly Uri TokenEndpoint = new("https://login.example.com/connect/token");
    public static readonly Uri RevocationEndpoint = new("https://login.example.com/connect/revocation");
    public static readonly Uri DeviceEndpoint = new("https://login.example.com/connect/device");
    public static readonly Uri ParEndpoint = new("https://login.example.com/connect/par");
    public static readonly Uri VerificationUri = new("https://login.example.com/device");

    private readonly ConcurrentQueue<IReadOnlyDictionary<string, string>> _tokenRequests = new();
    private readonly ConcurrentDictionary<string, bool> _validRefreshTokens = new(StringComparer.Ordinal);
    private int _issued;

    public AuthServerStub()
    {
        Handler.When(HttpMethod.Get, Issuer + "/.well-known/openid-configuration").Respond(_ => Json(HttpStatusCode.OK, Discovery()));
        Handler.When(HttpMethod.Post, TokenEndpoint.AbsoluteUri).Respond(request =>
        {
            // MockHttp waits forever on an answer that faults: a reply's exception (a refused connection) is thrown before
            // MockHttp has the task, as a transport would throw it.
            var answer = RespondToTokenRequestAsync(request);
            if (answer.IsFaulted)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(answer.Exception!.InnerException!);
            }

            return answer;
        });
        Handler.When(HttpMethod.Post, ParEndpoint.AbsoluteUri).Respond(async request =>
        {
            var form = Form(await request.Content!.ReadAsStringAsync());
            PushedRequests.Enqueue((form, request.Headers.Authorization?.ToString()));
            if (ParAnswer is { } answer)
            {
                return answer;
            }

            var requestUri = $"urn:ietf:params:oauth:request_uri:{PushedRequests.Count}";
            Pushed[requestUri] = form;
            return Json(HttpStatusCode.Created, $$"""{"request_uri":"{{requestUri}}","expires_in":60}""");
        });
        Handler.When(HttpMethod.Post, DeviceEndpoint.AbsoluteUri).Respond(async request =>
        {
            DeviceRequests.Enqueue(Form(await request.Content!.ReadAsStringAsync()));
            return DeviceAuthorizationAnswer ?? Json(HttpStatusCode.OK, $$"""
                {"device_code":"device-code-secret-1","user_code":"WDJB-MJHT","verification_uri":"{{VerificationUri}}",
                 "verification_uri_complete":"{{VerificationUri}}?user_code=WDJB-MJHT","expires_in":{{DeviceExpiresIn}},"interval":{{DeviceInterval}}}
                """);
        });
        Handler.When(HttpMethod.Post, RevocationEndpoint.AbsoluteUri).Respond(async request =>
        {
            var form = Form(await request.Content!.ReadAsStringAsync());
            RevocationRequests.Enqueue((form, request.Headers.Authorization?.ToString()));
            Revoked.Enqueue(form["token"]);
            if (RevocationGate is { } gate)
            {
                await gate;
            }

            return new HttpResponseMessage(HttpStatusCode.OK);
        });
    }

    public MockHttpMessageHandler Handler { get; } = new();

    /// <summary>Gets or sets whether discovery names the PAR endpoint (RFC 9126).</summary>
    public bool AdvertisesParEndpoint { get; set; } = true;

    /// <summary>Gets or sets whether discovery says <c>require_pushed_authorization_requests</c>.</summary>
    public bool RequiresPar { get; set; }

    /// <summary>Gets or sets an answer that replaces the PAR endpoint's.</summary>
    public HttpResponseMessage? ParAnswer { get; set; }

    /// <summary>Gets each pushed request's form and Authorization header.</summary>
    public ConcurrentQueue<(IReadOnlyDictionary<string, string> Form, string? Authorization)> PushedRequests { get; } = new();

    /// <summary>Gets the pushed parameters by the request_uri they were given.</summary>
    public ConcurrentDictionary<string, IReadOnlyDictionary<string, string>> Pushed { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets or sets whether discovery names the device authorization endpoint.</summary>
    public bool AdvertisesDeviceEndpoint { get; set; } = true;

    /// <summary>Gets or sets the device authorization endpoint discovery names instead of <see cref="DeviceEndpoint"/>.</summary>
    public string? AdvertisedDeviceEndpoint { get; set; }

    public int DeviceExpiresIn { get; set; } = 600;

    public int DeviceInterval { get; set; } = 5;

    /// <summary>Gets or sets an answer that replaces the device authorization.</summary>
    public HttpResponseMessage? DeviceAuthorizationAnswer { get; set; }

    /// <summary>Gets the errors the next device-code token requests get, in order; once empty, tokens are issued.</summary>
    public ConcurrentQueue<string> DeviceAnswers { get; } = new();

    /// <summary>
    /// Gets the replies the next device-code token requests get, in order, before <see cref="DeviceAnswers"/>: any answer (a 503,
    /// a 429 with Retry-After), a thrown exception, or one that never comes; a reply of <see langword="null"/> issues tokens.
    /// </summary>
    public ConcurrentQueue<Func<Task<HttpResponseMessage?>>> DeviceReplies { get; } = new();

    public ConcurrentQueue<IReadOnlyDictionary<string, string>> DeviceRequests { get; } = new();

    /// <summary>Gets the clock's time at each device-code token request, when <see cref="Clock"/> is set.</summary>
    public ConcurrentQueue<DateTimeOffset> DevicePolls { get; } = new();

    public TimeProvider? Clock { get; set; }

    public bool AdvertisesIssParameter { get; set; } = true;

    public bool RotateRefreshTokens { get; set; } = true;

    public int ExpiresIn { get; set; } = 300;

    /// <summary>Gets or sets the nonce put in issued ID tokens; the test browser sets it from the authorize URL.</summary>
    public string? Nonce { get; set; }

    /// <summary>Gets or sets a nonce that replaces the right one in issued ID tokens.</summary>
    public string? ForcedNonce { get; set; }

    /// <summary>Gets or sets an ID token that replaces the issued one as it is.</summary>
    public string? ForcedIdToken { get; set; }

    /// <summary>Gets the claims of issued ID tokens beyond <c>nonce</c>, by default alice's, issued to the fixture's client
    /// for ten minutes of <see cref="Clock"/>; set one to change it, to <see langword="null"/> to leave it out.</summary>
    public Dictionary<string, object?> IdTokenClaims { get; } = new(StringComparer.Ordinal)
    {
        ["iss"] = Issuer,
        ["sub"] = "alice",
        ["aud"] = SignInFixture.ClientId,
        ["name"] = "Alice Smith",
        ["preferred_username"] = "alice",
        ["email"] = "alice@example.com",
    };

    /// <summary>Gets or sets the scope token answers carry; none (the scope asked for, RFC 6749 §5.1) when <see langword="null"/>.</summary>
    public string? GrantedScope { get; set; }

    /// <summary>Gets or sets whether code redemptions carry an ID token when the sign-in asked for one.</summary>
    public bool IdTokenOnAuthorizationCode { get; set; } = true;

    /// <summary>Gets or sets whether refresh answers carry an ID token (OpenID Connect Core §12.2 lets a server choose).</summary>
    public bool IdTokenOnRefresh { get; set; }

    /// <summary>Gets or sets whether device-code answers carry an ID token.</summary>
    public bool IdTokenOnDeviceCode { get; set; } = true;

    /// <summary>Gets or sets a task every revocation response waits for.</summary>
    public Task? RevocationGate { get; set; }

    /// <summary>Gets or sets a task every token response waits for, to hold refreshes in flight.</summary>
    public Task? Gate { get; set; }

    public IReadOnlyCollection<IReadOnlyDictionary<string, string>> TokenRequests => _tokenRequests;

    public int RefreshRequestCount => _tokenRequests.Count(r => r["grant_type"] == "refresh_token");

    public ConcurrentQueue<string> IssuedAccessTokens { get; } = new();

    public ConcurrentQueue<string> IssuedRefreshTokens { get; } = new();

    public ConcurrentQueue<string> Revoked { get; } = new();

    public ConcurrentQueue<(IReadOnlyDictionary<string, string> Form, string? Authorization)> RevocationRequests { get; } = new();

    /// <summary>Gets the <c>DPoP</c> proof of each token request, in order (null when absent).</summary>
    public ConcurrentQueue<string?> TokenRequestProofs { get; } = new();

    /// <summary>Gets or sets a nonce the token endpoint requires in DPoP proofs (RFC 9449 §8).</summary>
    public string? DpopNonce { get; set; }

    /// <summary>Gets or sets whether the server answers token_type Bearer even to a request with a DPoP proof.</summary>
    public bool IgnoresDpop { get; set; }

    /// <summary>Gets the <c>Authorization</c> header of each token request, in order (null when absent).</summary>
    public ConcurrentQueue<string?> TokenRequestAuthorizations { get; } = new();

    /// <summary>Makes <paramref name="refreshToken"/> one the server accepts.</summary>
    public void AcceptRefreshToken(string refreshToken) => _validRefreshTokens[refreshToken] = true;

    public static HttpResponseMessage Json(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    public static Dictionary<string, string> Form(string text) => text
        .Split('&', StringSplitOptions.RemoveEmptyEntries)
        .Select(pair => pair.Split('=', 2))
        .ToDictionary(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')), p => Uri.UnescapeDataString(p[1].Replace('+', ' ')));

    private string Discovery() => $$"""
        {"issuer":"{{Issuer}}","authorization_endpoint":"{{AuthorizeEndpoint}}","token_endpoint":"{{TokenEndpoint}}",
         "revocation_endpoint":"{{RevocationEndpoint}}",{{(AdvertisesParEndpoint ? $"\"pushed_authorization_request_endpoint\":\"{ParEndpoint}\"," : "")}}{{(RequiresPar ? "\"require_pushed_authorization_requests\":true," : "")}}{{(AdvertisesDeviceEndpoint ? $"\"device_authorization_endpoint\":\"{AdvertisedDeviceEndpoint ?? DeviceEndpoint.AbsoluteUri}\"," : "")}}"authorization_response_iss_parameter_supported":{{(AdvertisesIssParameter ? "true" : "false")}},
         "code_challenge_methods_supported":["S256"]}
        """;

    private async Task<HttpResponseMessage> RespondToTokenRequestAsync(HttpRequestMessage request)
    {
        var form = Form(await request.Content!.ReadAsStringAsync());
        TokenRequestAuthorizations.Enqueue(request.Headers.Authorization?.ToString());
        var proof = request.Headers.TryGetValues("DPoP", out var proofs) ? proofs.Single() : null;
        TokenRequestProofs.Enqueue(proof);
        _tokenRequests.Enqueue(form);
        if (proof is not null && DpopNonce is not null && !new JsonWebToken(proof).TryGetPayloadValue<string>("nonce", out _))
        {
            var refusal = Json(HttpStatusCode.BadRequest, """{"error":"use_dpop_nonce"}""");
            refusal.Headers.Add("DPoP-Nonce", DpopNonce);
            return refusal;
        }
        if (Gate is { } gate)
        {
            await gate;
        }

        if (form["grant_type"] == "urn:ietf:params:oauth:grant-type:device_code")
        {
            DevicePolls.Enqueue(Clock?.GetUtcNow() ?? default);
            if (DeviceReplies.TryDequeue(out var reply))
            {
                if (await reply() is { } replied)
                {
                    return replied;
                }
            }
            else if (DeviceAnswers.TryDequeue(out var answer))
            {
                return Json(HttpStatusCode.BadRequest, $$"""{"error":"{{answer}}"}""");
            }
        }

        var n = Interlocked.Increment(ref _issued);
        string? refreshToken = $"refresh-token-{n}";
        if (form["grant_type"] == "refresh_token")
        {
            var valid = RotateRefreshTokens ? _validRefreshTokens.TryRemove(form["refresh_token"], out _) : _validRefreshTokens.ContainsKey(form["refresh_token"]);
            if (!valid)
            {
                return Json(HttpStatusCode.BadRequest, """{"error":"invalid_grant","error_description":"The refresh token is no longer valid."}""");
            }

            refreshToken = RotateRefreshTokens ? refreshToken : null;
        }

        var accessToken = $"access-token-{n}";
        IssuedAccessTokens.Enqueue(accessToken);
        var body = new StringBuilder($$"""{"access_token":"{{accessToken}}","token_type":"{{(proof is null || IgnoresDpop ? "Bearer" : "DPoP")}}","expires_in":{{ExpiresIn}}""");
        if (refreshToken is not null)
        {
            AcceptRefreshToken(refreshToken);
            IssuedRefreshTokens.Enqueue(refreshToken);
            body.Append(CultureInfo.InvariantCulture, $$""","refresh_token":"{{refreshToken}}" """);
        }

        if (GrantedScope is not null)
        {
            body.Append(CultureInfo.InvariantCulture, $$""","scope":"{{GrantedScope}}" """);
        }

        var idToken = form["grant_type"] switch
        {
            "authorization_code" when Nonce is not null && IdTokenOnAuthorizationCode => ForcedIdToken ?? IdToken(ForcedNonce ?? Nonce),
            "refresh_token" when IdTokenOnRefresh => ForcedIdToken ?? IdToken(nonce: null),
            "urn:ietf:params:oauth:grant-type:device_code" when IdTokenOnDeviceCode => ForcedIdToken ?? IdToken(nonce: null),
            _ => null,
        };
        if (idToken is not null)
        {
            body.Append(CultureInfo.InvariantCulture, $$""","id_token":"{{idToken}}" """);
        }

        return Json(HttpStatusCode.OK, body.Append('}').ToString());
    }

    /// <summary>Makes an unsigned-looking ID token of <see cref="IdTokenClaims"/>, as a token endpoint would send it.</summary>
    public string IdToken(string? nonce)
    {
        var claims = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["exp"] = ((Clock ?? TimeProvider.System).GetUtcNow() + TimeSpan.FromMinutes(10)).ToUnixTimeSeconds(),
        };
        foreach (var (name, value) in IdTokenClaims)
        {
            claims[name] = value;
        }

        if (nonce is not null)
        {
            claims["nonce"] = nonce;
        }

        return Jwt(claims.Where(c => c.Value is not null).ToDictionary());
    }

    public static string Jwt(IReadOnlyDictionary<string, object?> claims)
    {
        static string Part(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return $"{Part("""{"alg":"RS256"}""")}.{Part(System.Text.Json.JsonSerializer.Serialize(claims))}.c2ln";
    }
}
