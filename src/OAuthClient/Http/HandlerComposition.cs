using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;

namespace OAuthClient.Internal;

/// <summary>
/// The one place where a flow's handlers join a chain: <see cref="AccessTokenHandler"/> where the application adds it,
/// and <see cref="DpopHandler"/>, only when the client uses DPoP, innermost before the transport, where it signs each
/// attempt and follows redirects itself. Every flow composes through here, with or without the HttpClientFactory.
/// </summary>
internal static class HandlerComposition
{
    /// <summary>Chains the flow's handlers in front of <paramref name="transport"/> (a new <see cref="SocketsHttpHandler"/> when omitted).</summary>
    /// <returns>The outermost handler, for <c>new HttpClient(handler)</c>.</returns>
    public static DelegatingHandler Compose(AccessTokenHandler tokens, DpopHandler? dpop, HttpMessageHandler? transport)
    {
        tokens.InnerHandler = Join(tokens, dpop, transport ?? new SocketsHttpHandler())!;
        return tokens;
    }

    /// <summary>Adds the flow's handlers to the chain of <paramref name="builder"/>'s client, where this is called.</summary>
    /// <param name="builder">The HttpClient builder.</param>
    /// <param name="createTokens">Makes the token handler, given the services and the origin of the client's <c>BaseAddress</c>.</param>
    /// <param name="createDpop">Makes the DPoP handler, or returns <see langword="null"/> when the client does not use DPoP.</param>
    public static IHttpClientBuilder AddTo(
        IHttpClientBuilder builder,
        Func<IServiceProvider, ApiOrigin?, AccessTokenHandler> createTokens,
        Func<IServiceProvider, DpopHandler?> createDpop)
    {
        var name = builder.Name;
        builder.Services.Configure<HttpClientFactoryOptions>(name, o => o.HttpMessageHandlerBuilderActions.Add(
            b => b.AdditionalHandlers.Add(createTokens(b.Services, BaseAddressOrigin(b.Services, name)))));

        // Runs after every other handler action: the DPoP handler goes innermost, next to the transport the application
        // chose, so every attempt a retry handler in between makes gets a fresh proof (a proof is single-use), and it
        // follows the transport's redirects itself.
        builder.Services.PostConfigure<HttpClientFactoryOptions>(name, o => o.HttpMessageHandlerBuilderActions.Add(b =>
        {
            var tokens = b.AdditionalHandlers.OfType<AccessTokenHandler>().Last();
            if (Join(tokens, createDpop(b.Services), transport: null) is DpopHandler dpop)
            {
                b.AdditionalHandlers.Add(dpop);
                dpop.TakeOverRedirects(b.PrimaryHandler);
            }
        }));

        return builder;
    }

    // The handler after the token handler: the DPoP handler in front of the transport, or the transport itself.
    private static HttpMessageHandler? Join(AccessTokenHandler tokens, DpopHandler? dpop, HttpMessageHandler? transport)
    {
        if (dpop is null)
        {
            // A client without DPoP has no DPoP handler, which saves every Bearer request a handler.
            tokens.DpopInChain = false;
            return transport;
        }

        if (transport is not null)
        {
            dpop.InnerHandler = transport;
            dpop.TakeOverRedirects(transport);
        }

        return dpop;
    }

    // Not token traffic: the handler cannot see the HttpClient it serves, so it learns the BaseAddress by running the client's
    // configuration actions on a throwaway HttpClient. A typed client that sets BaseAddress in its own
    // constructor is not seen: such clients list ApiOrigins.
    private static ApiOrigin? BaseAddressOrigin(IServiceProvider services, string name)
    {
        var factoryOptions = services.GetRequiredService<IOptionsMonitor<HttpClientFactoryOptions>>().Get(name);
        using var probe = new HttpClient();
        foreach (var action in factoryOptions.HttpClientActions)
        {
            action(probe);
        }

        return probe.BaseAddress is { IsAbsoluteUri: true } baseAddress ? ApiOrigin.From(baseAddress) : null;
    }
}
