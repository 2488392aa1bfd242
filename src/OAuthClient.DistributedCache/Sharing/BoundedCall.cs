namespace OAuthClient;

/// <summary>Waits for a cache or Redis call no longer than a time limit, whatever the client library does with cancellation.</summary>
internal static class BoundedCall
{
    public static async Task<T> WaitAsync<T>(Task<T> call, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            return await call.WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Observe(call);
            throw;
        }
    }

    public static async Task WaitAsync(Task call, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            await call.WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Observe(call);
            throw;
        }
    }

    // An abandoned call may still fail later: observe it so it is not reported as an unobserved exception.
    private static void Observe(Task call) =>
        _ = call.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
}
