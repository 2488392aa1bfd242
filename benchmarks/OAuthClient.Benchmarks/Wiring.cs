using Microsoft.Extensions.DependencyInjection;
using OAuthClient.Benchmarks.Stubs;

namespace OAuthClient.Benchmarks;

/// <summary>Registers OAuthClient the way users do, with the token endpoint and the API in memory.</summary>
internal static class Wiring
{
    public const string ClientName = "orders";
    public static readonly Uri ApiBase = new("https://api.example.com/");

    public static IServiceCollection AddTokenEndpoint(this IServiceCollection services, TokenEndpointHandler endpoint)
    {
        services.AddHttpClient(OAuthClientHttpClientBuilderExtensions.TokenEndpointHttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => endpoint)
            // The stub lives as long as the run; the factory must not dispose it when it rotates handlers.
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        return services;
    }

    public static IHttpClientBuilder AddOrdersClient(this IServiceCollection services, Action<ClientCredentialsOptions>? configure = null) =>
        services.AddHttpClient(ClientName, c => c.BaseAddress = ApiBase)
            .ConfigurePrimaryHttpMessageHandler(() => new OkHandler())
            .AddClientCredentialsToken(o =>
            {
                Defaults(o);
                configure?.Invoke(o);
            });

    public static void Defaults(ClientCredentialsOptions o)
    {
        o.TokenEndpoint = TokenEndpointHandler.TokenEndpoint;
        o.ClientId = "worker";
        o.ClientSecret = "benchmark-secret";
        o.Scope = "orders.read";
    }
}
