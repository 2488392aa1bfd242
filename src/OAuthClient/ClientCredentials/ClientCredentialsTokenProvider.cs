using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OAuthClient;

/// <summary>Keeps one <see cref="ClientCredentialsClient"/> per name and builds the handlers that use them.</summary>
internal sealed class ClientCredentialsTokenProvider : IClientCredentialsTokenProvider, IDisposable
{
    private readonly IOptionsMonitor<ClientCredentialsOptions> _options;
    private readonly TokenCache _cache;
    private readonly TokenClient _tokenClient;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ITokenSourceDecorator[] _decorators;
    private readonly ConcurrentDictionary<string, ClientCredentialsClient> _clients = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    public ClientCredentialsTokenProvider(
        IOptionsMonitor<ClientCredentialsOptions> options,
        TokenCache cache,
        TokenClient tokenClient,
        TimeProvider time,
        ILoggerFactory loggers,
        IEnumerable<ITokenSourceDecorator>? decorators = null)
    {
        _options = options;
        _cache = cache;
        _tokenClient = tokenClient;
        _time = time;
        _loggers = loggers;
        _decorators = decorators?.ToArray() ?? [];
    }

    public ValueTask<AccessToken> GetTokenAsync(string clientName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clientName);
        return GetClient(clientName).GetTokenAsync(cancellationToken);
    }

    public void InvalidateToken(string clientName, AccessToken token)
    {
        ArgumentNullException.ThrowIfNull(clientName);
        ArgumentNullException.ThrowIfNull(token);
        GetClient(clientName).Invalidate(token);
    }

    public AccessTokenHandler CreateHandler(string clientName, ApiOrigin? baseAddressOrigin, IDisposable? owned = null) =>
        new(GetClient(clientName), baseAddressOrigin, _loggers.CreateLogger<AccessTokenHandler>(), owned);

    public DpopHandler CreateDpopHandler(string clientName) =>
        CreateDpopHandler(GetClient(clientName));

    private DpopHandler CreateDpopHandler(ClientCredentialsClient client) =>
        new(client.Name, () => client.Source.Dpop, _loggers.CreateLogger<DpopHandler>());

    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }
    }

    private ClientCredentialsClient GetClient(string name)
    {
        if (_clients.TryGetValue(name, out var client))
        {
            return client;
        }

        // Created under a lock: each client subscribes to option changes, and a discarded duplicate would leak that.
        lock (_gate)
        {
            return _clients.TryGetValue(name, out client)
                ? client
                : _clients[name] = new ClientCredentialsClient(
                    name, _options, _cache, _tokenClient, _time, _loggers.CreateLogger("OAuthClient.ClientCredentials"), _decorators);
        }
    }
}
