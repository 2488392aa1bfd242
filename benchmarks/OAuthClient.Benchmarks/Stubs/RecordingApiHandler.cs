using System.Collections.Concurrent;
using System.Net;

namespace OAuthClient.Benchmarks.Stubs;

/// <summary>An API that answers 200 at once and counts the requests each token was sent with.</summary>
internal sealed class RecordingApiHandler : HttpMessageHandler
{
    public ConcurrentDictionary<string, int> Tokens { get; } = new(StringComparer.Ordinal);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = request.Headers.Authorization?.Parameter ?? "(none)";
        Tokens.AddOrUpdate(token, 1, static (_, n) => n + 1);
        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request });
    }
}
