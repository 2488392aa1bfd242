using System.Runtime.CompilerServices;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OAuthClient;

/// <summary>Keeps one <see cref="ClientCredentialsClient"/> per name and builds the handlers that use them.</summary>
internal sealed class ClientCredentialsTokenProvider : IClientCredentialsTokenProvider, IDisposable
{
    private readonly IOptionsMonitor<ClientCredentialsOptions> _options;
    private readonly IOptionsFactory<ClientKeys> _keys;
    private readonly TokenCache _cache;
    private readonly BackchannelProvider _backchannels;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ITokenSourceDecorator[] _decorators;
    private readonly TokenClientRegistry[]? _registries;
    private readonly ConcurrentDictionary<string, ClientCredentialsClient> _clients = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private readonly IDisposable? _changeSubscription;
    private readonly IDisposable? _keyChangeSubscription;
    private ClientCredentialsClient.Shared? _shared;

    public ClientCredentialsTokenProvider(
        IOptionsMonitor<ClientCredentialsOptions> options,
        IOptionsFactory<ClientKeys> keys,
        IOptionsMonitor<ClientKeys> keyChanges,
        TokenCache cache,
        BackchannelProvider backchannels,
        TimeProvider time,
        ILoggerFactory loggers,
        IEnumerable<ITokenSourceDecorator>? decorators = null,
        IEnumerable<TokenClientRegistry>? registries = null)
    {
        // Without dependency injection there is no registration: every name is the one configured client.
        _registries = registries?.ToArray();
        _options = options;
        _keys = keys;
        _cache = cache;
        _backchannels = backchannels;
        _time = time;
        _loggers = loggers;
        _decorators = decorators?.ToArray() ?? [];
        _changeSubscription = options.OnChange((_, name) => OnOptionsChanged(name));

        // Keys that announce a change of their own (an IOptionsChangeTokenSource<ClientKeys>, say a certificate watcher)
        // renew the client as a change of its options does.
        _keyChangeSubscription = keyChanges.OnChange((_, name) => OnOptionsChanged(name));
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
        new(GetClient(clientName), baseAddressOrigin, _loggers.CreateLogger(AccessTokenHandler.LogCategory), owned);

    /// <summary>Creates the DPoP handler of a client that uses DPoP now, or returns <see langword="null"/>.</summary>
    /// <remarks>A client that turns DPoP on later gets it with the next handlers the factory builds; until then its
    /// token handler fails closed rather than send a DPoP token without a proof.</remarks>
    public DpopHandler? CreateDpopHandlerIfEnabled(string clientName)
    {
        var client = GetClient(clientName);
        return _options.Get(clientName).DpopOrDefault.Enabled
            ? new DpopHandler(client.Name, () => client.Source.Dpop, _loggers.CreateLogger(DpopHandler.LogCategory))
            : null;
    }

    public void Dispose()
    {
        _changeSubscription?.Dispose();
        _keyChangeSubscription?.Dispose();
    }

    // One subscription for every client: a change of one name's options resets that client alone. A subscription per
    // client made every change call them all, and disposing N clients cost N removals from one growing delegate list.
    private void OnOptionsChanged(string? name)
    {
        if (_clients.TryGetValue(name ?? Options.DefaultName, out var client))
        {
            client.Reset();
        }
    }

    /// <summary>Gets the client <paramref name="name"/>, making it on first use.</summary>
    /// <exception cref="InvalidOperationException">No client of that name is registered or configured.</exception>
    public ClientCredentialsClient GetClient(string name) =>
        _clients.TryGetValue(name, out var client) ? client : AddClient(name);

    // Kept out of the hit path, so that the JIT inlines the lookup and the cache read there instead.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ClientCredentialsClient AddClient(string name)
    {
        // A name whose options do not validate fails here, before anything is kept for it. Options configured by name
        // alone (services.Configure<ClientCredentialsOptions>(name, ...)) make a client as registered ones do.
        try
        {
            _ = _options.Get(name);
        }
        catch (OptionsValidationException ex) when (_registries is not null && !_registries.Any(r => r.Contains(name)))
        {
            throw new InvalidOperationException(
                $"No OAuthClient token client named '{name}' is registered. Register it with services.AddClientCredentialsTokenClient(\"{name}\", ...) " +
                $"or AddHttpClient(...).AddClientCredentialsToken(...). ({string.Join(" ", ex.Failures)})",
                ex);
        }

        // Created under a lock, so that two callers never make two clients of one name.
        lock (_gate)
        {
            return _clients.TryGetValue(name, out var client)
                ? client
                : _clients[name] = new ClientCredentialsClient(name, _shared ??= new ClientCredentialsClient.Shared(
                    _options, _keys, _cache, _backchannels, _time, _loggers.CreateLogger(TokenEndpoint.LogCategory), _decorators));
        }
    }
}
