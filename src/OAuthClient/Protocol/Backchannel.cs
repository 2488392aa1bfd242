using System.Net;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;

namespace OAuthClient.Internal;

/// <summary>
/// The one road of token traffic (discovery, token, revocation requests) to the authorization server, and the one
/// place where its HttpClient is made: automatic redirects off, responses capped at 64 KiB unless configured.
/// </summary>
/// <remarks>
/// A token endpoint that answers 307 or 308 would otherwise get the POST body (a client secret, a fresh client
/// assertion, a refresh token or a code) re-sent to whatever <c>Location</c> names. Redirects are turned off in the
/// transport where it can be reached; a supplied client that follows them anyway is caught by
/// <see cref="FollowedRedirect"/>, and its answer is refused.
/// </remarks>
internal sealed class Backchannel : IDisposable
{
    private readonly Func<HttpMessageInvoker> _invoker;
    private readonly IDisposable? _owned;

    private Backchannel(Func<HttpMessageInvoker> invoker, IDisposable? owned)
    {
        _invoker = invoker;
        _owned = owned;
    }

    /// <summary>Creates a backchannel with a transport of its own, disposed with it.</summary>
    public static Backchannel Own()
    {
        var client = Wrap(new SocketsHttpHandler { AllowAutoRedirect = false }, disposeHandler: true);
        return new Backchannel(() => client, client);
    }

    /// <summary>Creates a backchannel over an invoker the application supplied; it is not disposed here.</summary>
    public static Backchannel Supplied(HttpMessageInvoker invoker)
    {
        if (invoker is HttpClient client && client.MaxResponseContentBufferSize == int.MaxValue)
        {
            try
            {
                client.MaxResponseContentBufferSize = ProtocolDefaults.MaxResponseSize;
            }
            catch (InvalidOperationException)
            {
                // Already used for other requests: its own settings stand.
            }
        }

        return new Backchannel(() => invoker, owned: null);
    }

    /// <summary>Creates a backchannel whose handlers come from the HttpClientFactory under <paramref name="name"/>.</summary>
    /// <remarks>The client's configuration (proxy, certificates, a larger response cap) applies; redirects stay off.</remarks>
    public static Backchannel FromFactory(IHttpMessageHandlerFactory handlers, IOptionsMonitor<HttpClientFactoryOptions> options, string name) =>
        new(() =>
        {
            var handler = handlers.CreateHandler(name);
            TurnOffRedirects(handler);
            var client = Wrap(handler, disposeHandler: false);
            foreach (var configure in options.Get(name).HttpClientActions)
            {
                configure(client);
            }

            return client;
        }, owned: null);

    /// <summary>Gets the invoker for the next request.</summary>
    public HttpMessageInvoker Invoker => _invoker();

    /// <summary>
    /// Turns off automatic redirects in the transport under <paramref name="handler"/>'s delegating handlers.
    /// Other transports (test doubles, custom ones) hand a 3xx up, where it is refused.
    /// </summary>
    /// <returns>Whether the transport followed redirects and was changed, so the caller can follow them itself if it wants to.</returns>
    public static bool TurnOffRedirects(HttpMessageHandler? handler)
    {
        while (handler is DelegatingHandler { InnerHandler: { } inner })
        {
            handler = inner;
        }

        try
        {
            switch (handler)
            {
                case SocketsHttpHandler { AllowAutoRedirect: true } sockets:
                    sockets.AllowAutoRedirect = false;
                    return true;
                case HttpClientHandler { AllowAutoRedirect: true } client:
                    client.AllowAutoRedirect = false;
                    return true;
                default:
                    return false;
            }
        }
        catch (InvalidOperationException)
        {
            // A transport already in use cannot change; a redirect it follows is still caught by FollowedRedirect.
            return false;
        }
    }

    /// <summary>
    /// Tells whether <paramref name="response"/> is a redirect, or the answer of another origin than the one asked:
    /// a redirect the transport followed. Either way the answer is not the server's, and is refused.
    /// </summary>
    public static bool FollowedRedirect(HttpResponseMessage? response, Uri requested, out HttpStatusCode status, out string? target)
    {
        status = response?.StatusCode ?? 0;
        target = null;
        if (response is null)
        {
            return false;
        }

        if ((int)status is >= 300 and < 400)
        {
            target = response.Headers.Location is { } location
                ? (location.IsAbsoluteUri ? location : new Uri(requested, location)).GetLeftPart(UriPartial.Authority)
                : null;
            return true;
        }

        if (response.RequestMessage?.RequestUri is { IsAbsoluteUri: true } answered
            && !string.Equals(answered.GetLeftPart(UriPartial.Authority), requested.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase))
        {
            target = answered.GetLeftPart(UriPartial.Authority);
            return true;
        }

        return false;
    }

    public void Dispose() => _owned?.Dispose();

    // The only HttpClient made for token traffic.
    private static HttpClient Wrap(HttpMessageHandler handler, bool disposeHandler) =>
        new(handler, disposeHandler) { MaxResponseContentBufferSize = ProtocolDefaults.MaxResponseSize };
}
