using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OAuthClient;

/// <summary>
/// One named client for the life of the application. It holds the token source of the current options and
/// swaps it when the options change, dropping the tokens of the old settings.
/// </summary>
internal sealed class ClientCredentialsClient : ConfiguredApiTokenClient, IApiTokenClient
{
    // What every client of one provider shares, in one object: a client is kept per configured name, so each field
    // here would cost every one of them.
    private readonly Shared _shared;

    public ClientCredentialsClient(string name, Shared shared)
        : base(shared.Cache)
    {
        Name = name;
        _shared = shared;
    }

    public string Name { get; }

    /// <summary>Gets the token source of the current options, building it (and validating them) after a change.</summary>
    /// <exception cref="OptionsValidationException">The client's options are invalid.</exception>
    public ClientCredentialsTokenSource Source => CurrentSource ?? CreateSource();

    /// <summary>Gets the token source of the current options if it has been built, without building it.</summary>
    public ClientCredentialsTokenSource? CurrentSource => (ClientCredentialsTokenSource?)Current;

    public ApiOrigin[] ApiOrigins => Source.ApiOrigins;

    /// <summary>Reads a cached token that has not expired, without waiting: the hot path.</summary>
    public bool TryGetCachedToken([NotNullWhen(true)] out AccessToken? token)
    {
        var source = CurrentSource;
        if (source is not null)
        {
            // The key's slot first, with no interface call; then the acquirer, not the source: a background renewal must
            // go through the shared cache too, when there is one.
            return Cache.TryGetCheap(source.Key, out token) || Cache.TryGet(source.Acquirer, out token);
        }

        token = null;
        return false;
    }

    /// <summary>Gets a token that has not expired, from the cache or from the one request in flight.</summary>
    public ValueTask<AccessToken> GetTokenAsync(CancellationToken cancellationToken) =>
        TryGetCachedToken(out var token)
            ? new ValueTask<AccessToken>(token)
            : new ValueTask<AccessToken>(Cache.GetOrAcquireAsync(Source.Acquirer, cancellationToken));

    bool IApiTokenClient.TryGetCachedToken(HttpRequestMessage request, [NotNullWhen(true)] out AccessToken? token) => TryGetCachedToken(out token);

    ValueTask<AccessToken> IApiTokenClient.GetTokenAsync(HttpRequestMessage request, CancellationToken cancellationToken) => GetTokenAsync(cancellationToken);

    void IApiTokenClient.Invalidate(HttpRequestMessage request, AccessToken rejected) => Invalidate(rejected);

    /// <summary>Drops <paramref name="rejected"/> from the cache, unless a newer token already replaced it.</summary>
    public void Invalidate(AccessToken rejected)
    {
        if (CurrentSource is { } source)
        {
            Cache.Remove(source.Key, rejected);
            (source.Acquirer as ITokenRejectionObserver)?.OnRejected(rejected);
        }
    }


    private ClientCredentialsTokenSource CreateSource()
    {
        var options = _shared.Options.Get(Name);

        // The keys are made with the source, not cached apart: a change of options runs the client's ConfigureClientKeys
        // steps again, as it runs its other configure steps, so a key or certificate rotated in code comes with it.
        var endpoint = new TokenEndpoint(
            ClientCredentialsTokenSource.EndpointSettings(Name, options, _shared.Keys.Create(Name)), _shared.Backchannels.Get(options.BackchannelHttpClientName), _shared.Time, _shared.EndpointLogger);
        var source = new ClientCredentialsTokenSource(Name, options, endpoint);
        source.Decorate(_shared.Decorators);
        return (ClientCredentialsTokenSource)Publish(source);
    }

    /// <summary>Drops the source (and its tokens) of the old options; the provider calls it when this client's options change.</summary>
    public void Reset()
    {
        if (Withdraw() is { } old)
        {
            Cache.Remove(old.Key);
        }
    }

    /// <summary>The services every client of one provider uses.</summary>
    internal sealed record Shared(
        IOptionsMonitor<ClientCredentialsOptions> Options,
        IOptionsFactory<ClientKeys> Keys,
        TokenCache Cache,
        BackchannelProvider Backchannels,
        TimeProvider Time,
        ILogger EndpointLogger,
        IReadOnlyList<ITokenSourceDecorator> Decorators);
}
