using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OAuthClient.Desktop;

/// <summary>Adds the signed-in user's access token to the requests of a named or typed HttpClient.</summary>
public static class InteractiveSignInHttpClientBuilderExtensions
{
    /// <summary>Adds the user's access token to the client, with <see cref="InteractiveSignInOptions"/> configured elsewhere under the client's name.</summary>
    /// <param name="builder">The HttpClient builder.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <remarks>Registers, unless already there, a <see cref="FileTokenStore"/> as <see cref="ITokenStore"/>, the <see cref="SystemBrowser"/>
    /// as <see cref="IBrowser"/>, and <see cref="InteractiveSignInProvider"/> to sign in and out.</remarks>
    public static IHttpClientBuilder AddInteractiveSignIn(this IHttpClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        var name = builder.Name;
        var services = builder.Services;
        services.AddOptions<InteractiveSignInOptions>(name).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InteractiveSignInOptions>, InteractiveSignInOptionsValidator>());
        CoreServices.Add(services);
        services.TryAddSingleton<ITokenStore>(sp => new FileTokenStore(null, sp.GetRequiredService<ILoggerFactory>()));
        services.TryAddSingleton<IBrowser>(_ => new SystemBrowser());
        services.TryAddSingleton<InteractiveSignInProvider>();

        return HandlerComposition.AddTo(
            builder,
            (sp, baseAddressOrigin) => sp.GetRequiredService<InteractiveSignInProvider>().Get(name).CreateHandler(baseAddressOrigin),
            sp => sp.GetRequiredService<InteractiveSignInProvider>().Get(name).CreateDpopHandler());
    }

    /// <summary>Adds the user's access token to the client, configured in code.</summary>
    /// <param name="builder">The HttpClient builder.</param>
    /// <param name="configure">Sets the client's <see cref="InteractiveSignInOptions"/>.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IHttpClientBuilder AddInteractiveSignIn(this IHttpClientBuilder builder, Action<InteractiveSignInOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);

        builder.Services.AddOptions<InteractiveSignInOptions>(builder.Name).Configure(configure);
        return builder.AddInteractiveSignIn();
    }

    /// <summary>Adds the user's access token to the client, bound from configuration.</summary>
    /// <param name="builder">The HttpClient builder.</param>
    /// <param name="configuration">The section that holds the <see cref="InteractiveSignInOptions"/> properties.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IHttpClientBuilder AddInteractiveSignIn(this IHttpClientBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);

        builder.Services.AddOptions<InteractiveSignInOptions>(builder.Name).Bind(configuration);
        return builder.AddInteractiveSignIn();
    }
}
