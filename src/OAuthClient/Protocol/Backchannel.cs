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

    /// <summary>Creates a backchannel over a handler the application supplied; it is not disposed here.</summary>
    /// <exception cref="InvalidOperationException">The handler follows redirects and is already in use, so that cannot be turned off.</exception>
    public static Backchannel Supplied(HttpMessageHandler handler)
    {
        EnsureNoRedirects(handler, "The handler supplied for token requests");
        var client = Wrap(handler, disposeHandler: false);
        return new Backchannel(() => client, client);
    }

    /// <summary>Creates a backchannel whose handlers come from the HttpClientFactory under <paramref name="name"/>.</summary>
    /// <remarks>The client's configuration (proxy, certificates, a larger response cap) applies; redirects stay off.</remarks>
    public static Backchannel FromFactory(IHttpMessageHandlerFactory handlers, IOptionsMonitor<HttpClientFactoryOptions> options, string name) =>
        new(() =>
        {
            var handler = handlers.CreateHandler(name);
            EnsureNoRedirects(handler, $"The HttpClient '{name}' that carries token requests");
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
    /// Turns off automatic redirects in the transport under <paramref name="handler"/>'s delegating handlers, and fails
    /// closed when it cannot: a transport already in use that follows redirects would re-post credentials to any host.
    /// Other transports (test doubles, custom ones) are trusted to hand a 3xx up, where it is refused.
    /// </summary>
    /// <exception cref="InvalidOperationException">The transport follows redirects and can no longer be changed.</exception>
    public static void EnsureNoRedirects(HttpMessageHandler? handler, string what)
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
                    break;
                case HttpClientHandler { AllowAutoRedirect: true } client:
                    client.AllowAutoRedirect = false;
                    break;
            }
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidOperationException(
                $"{what} follows redirects and was already used for other requests, so redirects cannot be turned off: " +
                "token traffic never follows a redirect. Dedicate a handler (or a named HttpClient) to token requests.", ex);
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
        new HttpClient(handler, disposeHandler) { MaxResponseContentBufferSize = ProtocolDefaults.MaxResponseSize };
}
