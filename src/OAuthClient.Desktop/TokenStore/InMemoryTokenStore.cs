using System.Collections.Concurrent;

namespace OAuthClient.Desktop;

/// <summary>Keeps tokens in memory only: the user signs in again on every run.</summary>
/// <remarks>Thread-safe. Nothing is written to disk.</remarks>
public sealed class InMemoryTokenStore : ITokenStore
{
    private readonly ConcurrentDictionary<string, StoredTokens> _tokens = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public Task<StoredTokens?> ReadAsync(string key, CancellationToken cancellationToken) =>
        Task.FromResult(_tokens.TryGetValue(key, out var tokens) ? tokens : null);

    /// <inheritdoc/>
    public Task WriteAsync(string key, StoredTokens tokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        _tokens[key] = tokens;
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task RemoveAsync(string key, CancellationToken cancellationToken)
    {
        _tokens.TryRemove(key, out _);
        return Task.CompletedTask;
    }
}
