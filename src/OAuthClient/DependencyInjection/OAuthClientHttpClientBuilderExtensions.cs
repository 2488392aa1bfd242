using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace OAuthClient;

/// <summary>Adds OAuth 2.0 access tokens to the requests of a named or typed HttpClient.</summary>
public static class OAuthClientHttpClientBuilderExtensions
{
    /// <summary>The name of the HttpClient that sends discovery and token requests; configure it for proxies or certificates.</summary>
    /// <remarks>
    /// Unless its <see cref="HttpClient.MaxResponseContentBufferSize"/> is configured, responses over 64 KiB are refused.
    /// Automatic redirects are always off: token traffic never follows a redirect. A token client can use another
    /// named HttpClient through <see cref="ClientCredentialsOptions.BackchannelHttpClientName"/>.
    /// </remarks>
    public const string TokenEndpointHttpClientName = BackchannelProvider.DefaultName;

    /// <summary>Adds client-credentials tokens to the client, with <see cref="ClientCredentialsOptions"/> configured elsewhere under the client's name.</summary>
    /// <param name="builder">The HttpClient builder.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <remarks>Registers a token client of the HttpClient's name, as <c>AddClientCredentialsTokenClient</c> does, and uses it.</remarks>
    public static IHttpClientBuilder AddClientCredentialsToken(this IHttpClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        builder.Services.AddClientCredentialsTokenClient(builder.Name);
        return builder.AddClientCredentialsToken(builder.Name);
    }

    /// <summary>Adds the tokens of the token client <paramref name="tokenClientName"/> to the client, which may serve other HttpClients too.</summary>
    /// <param name="builder">The HttpClient builder.</param>
    /// <param name="tokenClientName">The name given to <c>AddClientCredentialsTokenClient</c>.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <remarks>
    /// HttpClients that name the same token client share one token. Each attaches it to its own <c>BaseAddress</c> origin,
    /// unless the token client lists <see cref="ClientCredentialsOptions.ApiOrigins"/>. Using a name that was never
    /// registered fails when the HttpClient is first created.
    /// </remarks>
    public static IHttpClientBuilder AddClientCredentialsToken(this IHttpClientBuilder builder, string tokenClientName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(tokenClientName);

        CoreServices.Add(builder.Services);
        builder.Services.AddSingleton(new HttpClientKeys(builder.Name, tokenClientName));
        return HandlerComposition.AddTo(
            builder,
            (sp, baseAddressOrigin) => sp.GetRequiredService<ClientCredentialsTokenProvider>().CreateHandler(tokenClientName, baseAddressOrigin),
            sp => sp.GetRequiredService<ClientCredentialsTokenProvider>().CreateDpopHandlerIfEnabled(tokenClientName));
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

    /// <summary>Sets, in code, the key objects of the client's token client: a certificate, a key object or an assertion factory.</summary>
    /// <param name="builder">The builder of an HttpClient that gets tokens through <c>AddClientCredentialsToken</c> or <c>AddInteractiveSignIn</c>.</param>
    /// <param name="configure">Sets the <see cref="ClientKeys"/> of the token client the HttpClient uses.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The HttpClient uses token exchange, whose keys are its token client's.</exception>
    /// <remarks>
    /// After <c>AddClientCredentialsToken("orders-token")</c> the keys go to the token client <c>orders-token</c>, which other
    /// HttpClients may share; otherwise under the HttpClient's own name.
    /// </remarks>
    public static IHttpClientBuilder ConfigureClientKeys(this IHttpClientBuilder builder, Action<ClientKeys> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);

        // Keys set here, under a name no token client has, would be dropped without a word (a DPoP key replaced by a
        // generated one): they go where this HttpClient's tokens come from.
        var target = builder.Services.LastOrDefault(d => d.ImplementationInstance is HttpClientKeys k && k.HttpClientName == builder.Name)?.ImplementationInstance as HttpClientKeys;
        if (target is { KeysName: null })
        {
            throw new InvalidOperationException(
                $"HttpClient '{builder.Name}' uses token exchange: its keys are those of the token client it names in TokenClientName. " +
                "Set them there: services.ConfigureClientKeys(tokenClientName, ...).");
        }

        builder.Services.ConfigureClientKeys(target?.KeysName ?? builder.Name, configure);
        return builder;
    }
}

/// <summary>Where the keys of an HttpClient's tokens live: its token client's name, or none for a token exchange (whose token client is named in options).</summary>
internal sealed record HttpClientKeys(string HttpClientName, string? KeysName);
