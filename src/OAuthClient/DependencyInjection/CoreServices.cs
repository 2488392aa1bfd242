using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;

namespace OAuthClient.Internal;

/// <summary>Registers what every flow shares: the clock, the token cache and the backchannel to the authorization server.</summary>
internal static class CoreServices
{
    public static void Add(IServiceCollection services)
    {
        services.AddMemoryCache();
        services.AddHttpClient(BackchannelProvider.DefaultName);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<TokenCache>();
        services.TryAddSingleton<BackchannelNames>();
        services.TryAddSingleton<BackchannelProvider>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<HttpClientFactoryOptions>, BackchannelHandlerPolicy>());
    }
}
