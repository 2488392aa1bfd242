namespace OAuthClient.Desktop.Tests.Support;

/// <summary>An in-memory store that runs a step of the test once, just before the next read answers: another caller's move in a race.</summary>
public sealed class HookedTokenStore(ITokenStore inner) : ITokenStore
{
    private Func<Task>? _beforeNextRead;

    /// <summary>Gets how many times the step ran.</summary>
    public int Fired { get; private set; }

    /// <summary>Runs <paramref name="step"/> once, inside the next read, before the read looks at the store.</summary>
    public void BeforeNextRead(Func<Task> step) => _beforeNextRead = step;

    public async Task<StoredTokens?> ReadAsync(string key, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _beforeNextRead, null) is { } step)
        {
            Fired++;
            await step();
        }

        return await inner.ReadAsync(key, cancellationToken);
    }

    public Task WriteAsync(string key, StoredTokens tokens, CancellationToken cancellationToken) => inner.WriteAsync(key, tokens, cancellationToken);

    public Task RemoveAsync(string key, CancellationToken cancellationToken) => inner.RemoveAsync(key, cancellationToken);
}
