using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OAuthClient;

/// <summary>
/// One named client for the life of the application. It holds the token source of the current options and
/// swaps it when the options change, dropping the tokens of the old settings.
/// </summary>
internal sealed class ClientCredentialsClient : IApiTokenClient
{
    private readonly IOptionsMonitor<ClientCredentialsOptions> _options;
    private readonly IOptionsFactory<ClientKeys> _keys;
    private readonly TokenCache _cache;
    private readonly BackchannelProvider _backchannels;
    private readonly TimeProvider _time;
    private readonly ILogger _endpointLogger;
    private readonly IReadOnlyList<ITokenSourceDecorator> _decorators;
    private volatile ClientCredentialsTokenSource? _source;

    public ClientCredentialsClient(
        string name,
        IOptionsMonitor<ClientCredentialsOptions> options,
        IOptionsFactory<ClientKeys> keys,
        TokenCache cache,
        BackchannelProvider backchannels,
        TimeProvider time,
        ILogger endpointLogger,
        IReadOnlyList<ITokenSourceDecorator>? decorators = null)
    {
        Name = name;
        _options = options;
        _keys = keys;
        _cache = cache;
        _backchannels = backchannels;
        _time = time;
        _endpointLogger = endpointLogger;
        _decorators = decorators ?? [];
    }

    public string Name { get; }

    /// <summary>Gets the token source of the current options, building it (and validating them) after a change.</summary>
    /// <exception cref="OptionsValidationException">The client's options are invalid.</exception>
    public ClientCredentialsTokenSource Source => _source ?? CreateSource();

    /// <summary>Gets the token source of the current options if it has been built, without building it.</summary>
    public ClientCredentialsTokenSource? CurrentSource => _source;

    public ApiOrigin[] ApiOrigins => Source.ApiOrigins;

    /// <summary>Reads a cached token that has not expired, without waiting: the hot path.</summary>
    public bool TryGetCachedToken([NotNullWhen(true)] out AccessToken? token)
    {
        var source = _source;
        if (source is not null)
        {
            // The acquirer, not the source: a background renewal must go through the shared cache too, when there is one.
            return _cache.TryGet(source.Acquirer, out token);
        }

        token = null;
        return false;
    }

    /// <summary>Gets a token that has not expired, from the cache or from the one request in flight.</summary>
    public ValueTask<AccessToken> GetTokenAsync(CancellationToken cancellationToken) =>
        TryGetCachedToken(out var token)
            ? new ValueTask<AccessToken>(token)
            : new ValueTask<AccessToken>(_cache.GetOrAcquireAsync(Source.Acquirer, cancellationToken));

    bool IApiTokenClient.TryGetCachedToken(HttpRequestMessage request, [NotNullWhen(true)] out AccessToken? token) => TryGetCachedToken(out token);

    ValueTask<AccessToken> IApiTokenClient.GetTokenAsync(HttpRequestMessage request, CancellationToken cancellationToken) => GetTokenAsync(cancellationToken);

    void IApiTokenClient.Invalidate(HttpRequestMessage request, AccessToken rejected) => Invalidate(rejected);

    /// <summary>Drops <paramref name="rejected"/> from the cache, unless a newer token already replaced it.</summary>
    public void Invalidate(AccessToken rejected)
    {
        if (_source is { } source)
        {
            _cache.Remove(source.Key, rejected);
            (source.Acquirer as ITokenRejectionObserver)?.OnRejected(rejected);
        }
    }


    private ClientCredentialsTokenSource CreateSource()
    {
        var options = _options.Get(Name);

        // The keys are made with the source, not cached apart: a change of options runs the client's ConfigureClientKeys
        // steps again, as it runs its other configure steps, so a key or certificate rotated in code comes with it.
        var endpoint = new TokenEndpoint(
            ClientCredentialsTokenSource.EndpointSettings(Name, options, _keys.Create(Name)), _backchannels.Get(options.BackchannelHttpClientName), _time, _endpointLogger);
        var source = new ClientCredentialsTokenSource(Name, options, endpoint);
        source.Decorate(_decorators);
        return Interlocked.CompareExchange(ref _source, source, null) ?? source;
    }

    /// <summary>Drops the source (and its tokens) of the old options; the provider calls it when this client's options change.</summary>
    public void Reset()
    {
        if (Interlocked.Exchange(ref _source, null) is { } old)
        {
            _cache.Remove(old.Key);
        }
    }
}
