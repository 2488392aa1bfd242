using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace OAuthClient;

/// <summary>Adds token exchange (RFC 8693) to a named or typed HttpClient: each request carries a token for the user it is made for.</summary>
public static class OAuthClientTokenExchangeExtensions
{
    /// <summary>Adds exchanged tokens to the client, with <see cref="TokenExchangeOptions"/> configured elsewhere under the client's name.</summary>
    /// <param name="builder">The HttpClient builder.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// Which user a request is for comes from an <see cref="ISubjectTokenSource"/>: <c>UseIncomingAccessToken()</c> in ASP.NET
    /// Core (package OAuthClient.AspNetCore), or <see cref="UseSubjectTokenSource"/>. Exchanged tokens are kept per user
    /// (by the SHA-256 of the subject token) until they expire, never past the subject token's own expiry; concurrent
    /// requests for one user share one exchange. A 401 from the API drops that user's token and retries once.
    /// </remarks>
    public static IHttpClientBuilder AddTokenExchange(this IHttpClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        var services = builder.Services;
        services.AddOptions<TokenExchangeOptions>(builder.Name).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TokenExchangeOptions>, TokenExchangeOptionsValidator>());
        CoreServices.Add(services);
        services.AddSingleton(new HttpClientKeys(builder.Name, KeysName: null));
        services.TryAddSingleton<ClientCredentialsTokenProvider>();
        services.TryAddSingleton<TokenExchangeProvider>();

        var name = builder.Name;
        return HandlerComposition.AddTo(
            builder,
            (sp, baseAddressOrigin) => sp.GetRequiredService<TokenExchangeProvider>().CreateHandler(name, sp, baseAddressOrigin),
            sp => sp.GetRequiredService<TokenExchangeProvider>().CreateDpopHandlerIfEnabled(name));
    }

    /// <summary>Adds exchanged tokens to the client, configured in code.</summary>
    /// <param name="builder">The HttpClient builder.</param>
    /// <param name="configure">Sets the client's <see cref="TokenExchangeOptions"/>.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IHttpClientBuilder AddTokenExchange(this IHttpClientBuilder builder, Action<TokenExchangeOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);

        builder.Services.AddOptions<TokenExchangeOptions>(builder.Name).Configure(configure);
        return builder.AddTokenExchange();
    }

    /// <summary>Adds exchanged tokens to the client, bound from configuration and reloaded when it changes.</summary>
    /// <param name="builder">The HttpClient builder.</param>
    /// <param name="configuration">The section that holds the <see cref="TokenExchangeOptions"/> properties.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IHttpClientBuilder AddTokenExchange(this IHttpClientBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);

        builder.Services.AddOptions<TokenExchangeOptions>(builder.Name).Bind(configuration);
        return builder.AddTokenExchange();
    }

    /// <summary>Sets where the client's token exchange finds the subject token of each request.</summary>
    /// <param name="builder">The HttpClient builder.</param>
    /// <param name="create">Makes the source, once, from the application's services.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <remarks>Registered as a keyed singleton under the client's name; an unkeyed <see cref="ISubjectTokenSource"/> serves clients without one.</remarks>
    public static IHttpClientBuilder UseSubjectTokenSource(this IHttpClientBuilder builder, Func<IServiceProvider, ISubjectTokenSource> create)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(create);

        builder.Services.AddKeyedSingleton(builder.Name, (sp, _) => create(sp));
        return builder;
    }
}
