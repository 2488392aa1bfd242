using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace OAuthClient;

/// <summary>Registers client-credentials token clients: one set of credentials and one token, shared by any number of HttpClients.</summary>
public static class OAuthClientServiceCollectionExtensions
{
    /// <summary>Registers the token client <paramref name="name"/>, with <see cref="ClientCredentialsOptions"/> configured elsewhere under that name.</summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The token client's name: what <c>AddClientCredentialsToken(name)</c> and <see cref="IClientCredentialsTokenProvider"/> take.</param>
    /// <returns>The same services.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <remarks>The options are validated when the host starts. Registering a name twice registers it once.</remarks>
    public static IServiceCollection AddClientCredentialsTokenClient(this IServiceCollection services, string name)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(name);

        var registry = TokenClientRegistry.For(services, out var first);
        if (first)
        {
            // Once per collection: each TryAdd scans the collection, which holds more with every client registered.
            services.AddOptions();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ClientCredentialsOptions>, ClientCredentialsOptionsValidator>());
            CoreServices.Add(services);
            services.AddSingleton(registry);
            services.AddOptions<TokenClientsStartupValidation>().ValidateOnStart();
            services.AddSingleton<IValidateOptions<TokenClientsStartupValidation>, TokenClientsStartupValidation.Validator>();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IBackchannelNameSource, ClientCredentialsBackchannelNames>());
            services.TryAddSingleton<ClientCredentialsTokenProvider>();
            services.TryAddSingleton<IClientCredentialsTokenProvider>(sp => sp.GetRequiredService<ClientCredentialsTokenProvider>());
        }

        registry.Add(name);
        return services;
    }

    /// <summary>Registers the token client <paramref name="name"/>, configured in code.</summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The token client's name.</param>
    /// <param name="configure">Sets its <see cref="ClientCredentialsOptions"/>.</param>
    /// <returns>The same services.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IServiceCollection AddClientCredentialsTokenClient(this IServiceCollection services, string name, Action<ClientCredentialsOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddClientCredentialsTokenClient(name);
        TokenClientRegistry.Configure(services, name, configure);
        return services;
    }

    /// <summary>Registers the token client <paramref name="name"/>, bound from configuration and reloaded when it changes.</summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The token client's name.</param>
    /// <param name="configuration">The section that holds the <see cref="ClientCredentialsOptions"/> properties.</param>
    /// <returns>The same services.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IServiceCollection AddClientCredentialsTokenClient(this IServiceCollection services, string name, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<ClientCredentialsOptions>(name).Bind(configuration);
        return services.AddClientCredentialsTokenClient(name);
    }

    /// <summary>Sets, in code, the key objects of the client <paramref name="name"/>: a certificate, a key object or an assertion factory.</summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The client's name: a token client's, or the HttpClient's that <c>AddClientCredentialsToken</c> or <c>AddInteractiveSignIn</c> was added to.</param>
    /// <param name="configure">Sets its <see cref="ClientKeys"/>.</param>
    /// <returns>The same services.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <remarks>
    /// Keys never come from configuration binding: <see cref="ClientAssertionOptions"/> and <see cref="DpopOptions"/> hold only
    /// what configuration can express (a JSON Web Key), so they bind under Native AOT. The keys are checked with the
    /// client's options when the host starts.
    /// </remarks>
    public static IServiceCollection ConfigureClientKeys(this IServiceCollection services, string name, Action<ClientKeys> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptions<ClientKeys>(name).Configure(configure);
        return services;
    }
}
