using System.Net;

namespace OAuthClient.Benchmarks.Stubs;

/// <summary>An API that answers 200 after yielding once, as a socket's answer arrives later: nothing completes at once.</summary>
internal sealed class YieldingOkHandler : HttpMessageHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        await Task.Yield();
        return new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request };
    }
}
