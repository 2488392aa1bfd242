using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OAuthClient;

/// <summary>Adds OAuth 2.0 access tokens to the requests of a named or typed HttpClient.</summary>
public static class OAuthClientHttpClientBuilderExtensions
{
    /// <summary>The name of the HttpClient that sends discovery and token requests; configure it for proxies or certificates.</summary>
    /// <remarks>
    /// Unless its <see cref="HttpClient.MaxResponseContentBufferSize"/> is configured, responses over 64 KiB are refused.
    /// </remarks>
    public const string TokenEndpointHttpClientName = "OAuthClient.TokenEndpoint";

    /// <summary>Adds client-credentials tokens to the client, with <see cref="ClientCredentialsOptions"/> configured elsewhere under the client's name.</summary>
    /// <param name="builder">The HttpClient builder.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IHttpClientBuilder AddClientCredentialsToken(this IHttpClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        var name = builder.Name;
        var services = builder.Services;
        services.AddOptions<ClientCredentialsOptions>(name).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ClientCredentialsOptions>, ClientCredentialsOptionsValidator>());
        AddTokenServices(services);
        services.TryAddSingleton<ClientCredentialsTokenProvider>();
        services.TryAddSingleton<IClientCredentialsTokenProvider>(sp => sp.GetRequiredService<ClientCredentialsTokenProvider>());

        // Runs after every other handler action, so it sees the primary handler the application chose.
        services.PostConfigure<HttpClientFactoryOptions>(name, o => o.HttpMessageHandlerBuilderActions.Add(
            b => PrepareDpop(b, b.Services.GetRequiredService<IOptionsMonitor<ClientCredentialsOptions>>().Get(name).Dpop.Enabled)));

        return builder
            .AddHttpMessageHandler(sp => sp.GetRequiredService<ClientCredentialsTokenProvider>().CreateHandler(name, BaseAddressOrigin(sp, name)))
            .AddHttpMessageHandler(sp => sp.GetRequiredService<ClientCredentialsTokenProvider>().CreateDpopHandler(name));
    }

    /// <summary>Adds client-credentials tokens to the client, configured in code.</summary>
    /// <param name="builder">The HttpClient builder.</param>
    /// <param name="configure">Sets the client's <see cref="ClientCredentialsOptions"/>.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IHttpClientBuilder AddClientCredentialsToken(this IHttpClientBuilder builder, Action<ClientCredentialsOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);

        builder.Services.AddOptions<ClientCredentialsOptions>(builder.Name).Configure(configure);
        return builder.AddClientCredentialsToken();
    }

    /// <summary>Adds client-credentials tokens to the client, bound from configuration and reloaded when it changes.</summary>
    /// <param name="builder">The HttpClient builder.</param>
    /// <param name="configuration">The section that holds the <see cref="ClientCredentialsOptions"/> properties.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IHttpClientBuilder AddClientCredentialsToken(this IHttpClientBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);

        builder.Services.AddOptions<ClientCredentialsOptions>(builder.Name).Bind(configuration);
        return builder.AddClientCredentialsToken();
    }

    /// <summary>Adds what every flow shares: the clock, the token cache and the token client.</summary>
    internal static void AddTokenServices(IServiceCollection services)
    {
        services.AddMemoryCache();
        services.AddHttpClient(TokenEndpointHttpClientName);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<TokenCache>();
        services.TryAddSingleton(sp => new TokenClient(
            () => TokenClient.LimitResponseSize(sp.GetRequiredService<IHttpClientFactory>().CreateClient(TokenEndpointHttpClientName)),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<TokenClient>>()));
    }

    // A client that uses DPoP when its handlers are built follows redirects in DpopHandler, not in the primary
    // handler. A client that does not leaves DpopHandler out, so its requests pass one handler fewer.
    // The desktop sign-in shares it.
    internal static void PrepareDpop(HttpMessageHandlerBuilder builder, bool dpopEnabled)
    {
        if (builder.AdditionalHandlers.OfType<DpopHandler>().LastOrDefault() is not { } dpop)
        {
            return;
        }

        if (dpopEnabled)
        {
            dpop.TakeOverRedirects(builder.PrimaryHandler);
            return;
        }

        var index = builder.AdditionalHandlers.IndexOf(dpop);
        if (index > 0 && builder.AdditionalHandlers[index - 1] is AccessTokenHandler tokens)
        {
            tokens.DpopInChain = false;
            builder.AdditionalHandlers.RemoveAt(index);
            dpop.Dispose();
        }
    }

    // The handler cannot see the HttpClient it serves, so it learns the BaseAddress by running the client's
    // configuration actions on a throwaway HttpClient. A typed client that sets BaseAddress in its own
    // constructor is not seen: such clients list ApiOrigins.
    internal static ApiOrigin? BaseAddressOrigin(IServiceProvider services, string name)
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
