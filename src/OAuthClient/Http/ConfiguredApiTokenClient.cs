namespace OAuthClient.Internal;

/// <summary>
/// A flow's client that one configuration serves at a time (client credentials): the handler reads that configuration
/// from a field and takes a fresh token from its cache key's slot, instead of asking the client through
/// <see cref="IApiTokenClient"/> (an interface call for the origins, one for the token, and one for the key).
/// </summary>
internal abstract class ConfiguredApiTokenClient(TokenCache cache)
{
    // Set by the client when it builds the configuration's source, cleared when the options change.
    private volatile ApiTokenConfiguration? _current;

    /// <summary>Gets the cache that holds the configuration's tokens.</summary>
    public TokenCache Cache { get; } = cache;

    /// <summary>Gets the configuration in use, or <see langword="null"/> before the first use or after a change of options.</summary>
    public ApiTokenConfiguration? Current => _current;

    /// <summary>Publishes <paramref name="configuration"/> unless another one is already in use; returns the one in use.</summary>
    protected ApiTokenConfiguration Publish(ApiTokenConfiguration configuration) =>
        Interlocked.CompareExchange(ref _current, configuration, null) ?? configuration;

    /// <summary>Withdraws the configuration in use, returning it.</summary>
    protected ApiTokenConfiguration? Withdraw() => Interlocked.Exchange(ref _current, null);
}
