using System.Net;

namespace OAuthClient.Benchmarks.Stubs;

/// <summary>An API that answers 200 at once, in memory: what is measured is everything in front of it.</summary>
internal sealed class OkHandler : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request });
}
