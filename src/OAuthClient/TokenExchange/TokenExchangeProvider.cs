using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OAuthClient.Internal;

/// <summary>Keeps one <see cref="TokenExchangeClient"/> per HttpClient name and builds the handlers that use them.</summary>
internal sealed class TokenExchangeProvider : IDisposable
{
    private readonly IOptionsMonitor<TokenExchangeOptions> _options;
    private readonly ClientCredentialsTokenProvider _tokenClients;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ConcurrentDictionary<string, TokenExchangeClient> _clients = new(StringComparer.Ordinal);
    private readonly IDisposable? _changeSubscription;

    public TokenExchangeProvider(
        IOptionsMonitor<TokenExchangeOptions> options, ClientCredentialsTokenProvider tokenClients, TimeProvider time, ILoggerFactory loggers)
    {
        _options = options;
        _tokenClients = tokenClients;
        _time = time;
        _loggers = loggers;
        _changeSubscription = options.OnChange((_, name) =>
        {
            if (_clients.TryGetValue(name ?? Options.DefaultName, out var client))
            {
                client.Reset();
            }
        });
    }

    /// <summary>Makes the token handler of the HttpClient <paramref name="name"/>, with the subject token source registered for it.</summary>
    /// <exception cref="InvalidOperationException">No <see cref="ISubjectTokenSource"/> is registered, for this name or for all.</exception>
    public AccessTokenHandler CreateHandler(string name, IServiceProvider services, ApiOrigin? baseAddressOrigin) =>
        new(GetClient(name, services), baseAddressOrigin, _loggers.CreateLogger(AccessTokenHandler.LogCategory));

    /// <summary>Makes the DPoP handler when the token client that sends the exchange uses DPoP: the exchanged token is bound to its key.</summary>
    public DpopHandler? CreateDpopHandlerIfEnabled(string name) =>
        _options.Get(name).TokenClientName is { } tokenClientName ? _tokenClients.CreateDpopHandlerIfEnabled(tokenClientName) : null;

    public void Dispose() => _changeSubscription?.Dispose();

    private TokenExchangeClient GetClient(string name, IServiceProvider services) =>
        _clients.GetOrAdd(name, static (n, s) => new TokenExchangeClient(
            n,
            s.Self._options,
            s.Self._tokenClients,
            s.Services.GetKeyedService<ISubjectTokenSource>(n) ?? s.Services.GetService<ISubjectTokenSource>() ?? throw NoSubjectSource(n),
            s.Self._time,
            s.Self._loggers),
            (Self: this, Services: services));

    private static InvalidOperationException NoSubjectSource(string name) => new(
        $"OAuthClient token exchange for HttpClient '{name}' has no ISubjectTokenSource to tell which user a request is for. " +
        "In ASP.NET Core, add .UseIncomingAccessToken() (package OAuthClient.AspNetCore) after AddTokenExchange; " +
        "elsewhere, add .UseSubjectTokenSource(...) or register an ISubjectTokenSource.");
}
