using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace OAuthClient;

/// <summary>Builds the client-credentials handler without dependency injection, for plain console apps and scripts.</summary>
public static class ClientCredentials
{
    private const string ClientName = "default";

    /// <summary>Creates a handler that gets, caches, attaches and renews client-credentials tokens for <see cref="ClientCredentialsOptions.ApiOrigins"/>.</summary>
    /// <param name="options">The client's settings; <see cref="ClientCredentialsOptions.ApiOrigins"/> must name the API.</param>
    /// <param name="innerHandler">The handler that sends API requests; a new <see cref="SocketsHttpHandler"/> when omitted.</param>
    /// <param name="tokenEndpointHandler">Sends discovery and token requests; a <see cref="SocketsHttpHandler"/> of its own when omitted.
    /// Not disposed by the handler. Its automatic redirects are turned off: token requests never follow a redirect.</param>
    /// <param name="timeProvider">The clock for expiry; the system clock when omitted.</param>
    /// <param name="loggerFactory">Where log lines go; nowhere when omitted.</param>
    /// <param name="keys">The client's key objects set in code (a certificate, a key, an assertion factory), when configuration cannot hold them.</param>
    /// <returns>A handler to pass to <c>new HttpClient(handler)</c>; disposing the HttpClient disposes it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="OptionsValidationException">The options are invalid, or name no API origin.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="tokenEndpointHandler"/> follows redirects and is already in use.</exception>
    public static DelegatingHandler CreateHandler(
        ClientCredentialsOptions options,
        HttpMessageHandler? innerHandler = null,
        HttpMessageHandler? tokenEndpointHandler = null,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        ClientKeys? keys = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var fixedKeys = new FixedOptionsMonitor<ClientKeys>(keys ?? new ClientKeys());
        var failures = new List<string>();
        var result = new ClientCredentialsOptionsValidator(fixedKeys).Validate(ClientName, options);
        if (result.Failed)
        {
            failures.AddRange(result.Failures);
        }

        if (options.ApiOriginsOrEmpty.Count == 0)
        {
            failures.Add($"OAuthClient client '{ClientName}': ApiOrigins must name the API when the handler is built without an HttpClientFactory.");
        }

        if (failures.Count > 0)
        {
            throw new OptionsValidationException(ClientName, typeof(ClientCredentialsOptions), failures);
        }

        var time = timeProvider ?? TimeProvider.System;
        var loggers = loggerFactory ?? NullLoggerFactory.Instance;
        var memoryCache = new MemoryCache(new MemoryCacheOptions());
        var backchannels = new BackchannelProvider(tokenEndpointHandler is null ? Backchannel.Own() : Backchannel.Supplied(tokenEndpointHandler));
        var tokenCache = new TokenCache(memoryCache, time, loggers);
        var provider = new ClientCredentialsTokenProvider(
            new FixedOptionsMonitor<ClientCredentialsOptions>(options),
            fixedKeys,
            fixedKeys,
            tokenCache,
            backchannels,
            time,
            loggers);

        return HandlerComposition.Compose(
            provider.CreateHandler(ClientName, baseAddressOrigin: null, new Disposables(provider, tokenCache, memoryCache, backchannels)),
            provider.CreateDpopHandlerIfEnabled(ClientName),
            innerHandler);
    }

    private sealed class Disposables(params IDisposable?[] items) : IDisposable
    {
        public void Dispose()
        {
            foreach (var item in items)
            {
                item?.Dispose();
            }
        }
    }
}
