using System.Collections.Concurrent;
using System.Net;
using System.Text;
using RichardSzalay.MockHttp;

namespace OAuthClient.Tests.Support;

/// <summary>A token endpoint on MockHttp that records each request and answers with numbered tokens unless told otherwise.</summary>
public sealed class TokenEndpointStub
{
    public static readonly Uri Authority = new("https://login.example.com/");
    public static readonly Uri Endpoint = new("https://login.example.com/connect/token");

    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly ConcurrentQueue<Func<HttpResponseMessage>> _scripted = new();
    private int _issued;

    public TokenEndpointStub()
    {
        Handler.When(HttpMethod.Post, Endpoint.AbsoluteUri).Respond(RespondAsync);
    }

    public MockHttpMessageHandler Handler { get; } = new();

    public IReadOnlyCollection<RecordedRequest> Requests => _requests;

    public int RequestCount => _requests.Count;

    /// <summary>Gets or sets the <c>expires_in</c> of issued tokens; <see langword="null"/> leaves it out.</summary>
    public int? ExpiresIn { get; set; } = 300;

    /// <summary>Gets or sets a task every response waits for, to hold requests in flight.</summary>
    public Task? Gate { get; set; }

    /// <summary>Gets or sets the token_type of issued tokens.</summary>
    public string TokenType { get; set; } = "Bearer";

    /// <summary>Gets the access tokens issued so far, in order.</summary>
    public ConcurrentQueue<string> Issued { get; } = new();

    /// <summary>Answers the next request with <paramref name="response"/> instead of a token.</summary>
    public void Then(Func<HttpResponseMessage> response) => _scripted.Enqueue(response);

    public static HttpResponseMessage Json(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    public static HttpResponseMessage Error(HttpStatusCode status, string error, string description) =>
        Json(status, $$"""{"error":"{{error}}","error_description":"{{description}}"}""");

    // Not async: MockHttp hangs on a faulted response task, so a scripted exception must be thrown synchronously.
    private Task<HttpResponseMessage> RespondAsync(HttpRequestMessage request)
    {
        var form = request.Content is null ? "" : request.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        var recorded = new RecordedRequest(request.Headers.Authorization?.ToString(), form)
        {
            Dpop = request.Headers.TryGetValues("DPoP", out var proofs) ? string.Join(",", proofs) : null,
        };
        _requests.Enqueue(recorded);
        return Gate is { } gate ? gate.ContinueWith(_ => Answer(recorded), TaskScheduler.Default) : Task.FromResult(Answer(recorded));
    }

    /// <summary>Gets or sets what names an issued token, given the request's form fields; numbered tokens when it returns <see langword="null"/>.</summary>
    public Func<IReadOnlyDictionary<string, string>, string?>? TokenFor { get; set; }

    /// <summary>Gets or sets an answer chosen from the request's form fields, before the scripted and the numbered ones; <see langword="null"/> passes.</summary>
    public Func<IReadOnlyDictionary<string, string>, HttpResponseMessage?>? AnswerFor { get; set; }

    private HttpResponseMessage Answer(RecordedRequest recorded)
    {
        if (AnswerFor?.Invoke(recorded.Fields) is { } chosen)
        {
            return chosen;
        }

        if (_scripted.TryDequeue(out var scripted))
        {
            return scripted();
        }

        var number = Interlocked.Increment(ref _issued);
        var token = TokenFor?.Invoke(recorded.Fields) is { } named ? $"{named}-{number}" : $"access-token-{number}";
        Issued.Enqueue(token);
        var expires = ExpiresIn is { } seconds ? $$""","expires_in":{{seconds}}""" : "";
        return Json(HttpStatusCode.OK, $$"""{"access_token":"{{token}}","token_type":"{{TokenType}}"{{expires}}}""");
    }

    public sealed record RecordedRequest(string? Authorization, string Form)
    {
        /// <summary>Gets the DPoP proof the request carried, if any.</summary>
        public string? Dpop { get; init; }

        public IReadOnlyDictionary<string, string> Fields => Form
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')), p => Uri.UnescapeDataString(p[1].Replace('+', ' ')));
    }
}
