using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace OAuthClient;

/// <summary>Shares a client's tokens between the instances of a service through the <c>IDistributedCache</c> in DI.</summary>
public static class OAuthClientDistributedCacheExtensions
{
    /// <summary>Shares the client's tokens through the <c>IDistributedCache</c> in DI, with the default <see cref="DistributedTokenCacheOptions"/>.</summary>
    /// <param name="builder">The builder of an HttpClient that gets client-credentials tokens.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// The in-process cache stays in front: the shared cache is read only when it misses. Tokens are encrypted with ASP.NET
    /// Core Data Protection (a key ring every instance shares). When an <c>IConnectionMultiplexer</c> is registered, a Redis
    /// lock lets one instance fetch a token while the others wait for it. A failing cache falls back to the token endpoint.
    /// </remarks>
    public static IHttpClientBuilder UseDistributedTokenCache(this IHttpClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        var services = builder.Services;
        services.AddOptions<DistributedTokenCacheOptions>(builder.Name).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DistributedTokenCacheOptions>, DistributedTokenCacheOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(new DistributedTokenCacheRegistration(builder.Name));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITokenSourceDecorator, DistributedTokenSourceDecorator>());
        return builder;
    }

    /// <summary>Shares the client's tokens through the <c>IDistributedCache</c> in DI, configured in code.</summary>
    /// <param name="builder">The builder of an HttpClient that gets client-credentials tokens.</param>
    /// <param name="configure">Sets the client's <see cref="DistributedTokenCacheOptions"/>.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IHttpClientBuilder UseDistributedTokenCache(this IHttpClientBuilder builder, Action<DistributedTokenCacheOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);

        builder.Services.AddOptions<DistributedTokenCacheOptions>(builder.Name).Configure(configure);
        return builder.UseDistributedTokenCache();
    }

    /// <summary>Shares the client's tokens through the <c>IDistributedCache</c> in DI, with options bound from configuration.</summary>
    /// <param name="builder">The builder of an HttpClient that gets client-credentials tokens.</param>
    /// <param name="configuration">The section that holds the <see cref="DistributedTokenCacheOptions"/> properties.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IHttpClientBuilder UseDistributedTokenCache(this IHttpClientBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);

        builder.Services.AddOptions<DistributedTokenCacheOptions>(builder.Name).Bind(configuration);
        return builder.UseDistributedTokenCache();
    }

    /// <summary>Protects the client's shared tokens with <paramref name="dataProtector"/> instead of one made from the data protection in DI.</summary>
    /// <param name="builder">The builder of an HttpClient that shares its tokens through <c>UseDistributedTokenCache</c>.</param>
    /// <param name="dataProtector">Encrypts and authenticates the cached tokens. Every instance must share its key ring and purpose.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <remarks>
    /// Set in code, never bound: <see cref="DistributedTokenCacheOptions"/> holds only what configuration can express. Without it the
    /// protector is made from the <see cref="IDataProtectionProvider"/> in DI (<c>AddDataProtection</c>, with a key ring every
    /// instance shares, for example through <c>PersistKeysToStackExchangeRedis</c>).
    /// </remarks>
    public static IHttpClientBuilder UseDistributedTokenCacheProtector(this IHttpClientBuilder builder, IDataProtector dataProtector)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(dataProtector);

        builder.Services.AddSingleton(new DistributedTokenCacheProtector(builder.Name, _ => dataProtector));
        return builder;
    }

    /// <summary>Protects the client's shared tokens with a protector made from the application's services, when the client is first used.</summary>
    /// <param name="builder">The builder of an HttpClient that shares its tokens through <c>UseDistributedTokenCache</c>.</param>
    /// <param name="createDataProtector">Makes the protector, for example <c>sp =&gt; sp.GetRequiredService&lt;IDataProtectionProvider&gt;().CreateProtector("orders")</c>.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IHttpClientBuilder UseDistributedTokenCacheProtector(this IHttpClientBuilder builder, Func<IServiceProvider, IDataProtector> createDataProtector)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(createDataProtector);

        builder.Services.AddSingleton(new DistributedTokenCacheProtector(builder.Name, createDataProtector));
        return builder;
    }
}
