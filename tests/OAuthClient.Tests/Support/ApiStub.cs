using System.Collections.Concurrent;
using System.Net;
using RichardSzalay.MockHttp;

namespace OAuthClient.Tests.Support;

/// <summary>A protected API on MockHttp that records the Authorization header and body of each request.</summary>
public sealed class ApiStub
{
    public static readonly Uri BaseAddress = new("https://api.example.com/");

    private readonly ConcurrentQueue<RecordedCall> _calls = new();

    public ApiStub()
    {
        Handler.Fallback.Respond(RespondAsync);
    }

    public MockHttpMessageHandler Handler { get; } = new();

    public IReadOnlyCollection<RecordedCall> Calls => _calls;

    /// <summary>Gets or sets how the API answers a call; 200 by default.</summary>
    public Func<RecordedCall, HttpResponseMessage> Respond { get; set; } = _ => new HttpResponseMessage(HttpStatusCode.OK);

    private async Task<HttpResponseMessage> RespondAsync(HttpRequestMessage request)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync();
        var call = new RecordedCall(request.RequestUri!, request.Headers.Authorization?.Scheme, request.Headers.Authorization?.Parameter, body)
        {
            Method = request.Method,
            Dpop = request.Headers.TryGetValues("DPoP", out var proofs) ? string.Join(",", proofs) : null,
        };
        _calls.Enqueue(call);
        return Respond(call);
    }

    public static HttpResponseMessage Unauthorized(string? error = "invalid_token")
    {
        var response = new HttpResponseMessage(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ParseAdd(error is null ? "Bearer" : $"Bearer error=\"{error}\"");
        return response;
    }

    public sealed record RecordedCall(Uri Uri, string? Scheme, string? Token, string? Body)
    {
        public HttpMethod Method { get; init; } = HttpMethod.Get;

        /// <summary>Gets the DPoP header the call carried, if any.</summary>
        public string? Dpop { get; init; }
    }
}
