namespace OAuthClient.Desktop;

/// <summary>The connections that have sent nothing yet, oldest first; past the limit the oldest is dropped.</summary>
internal sealed class IdleConnections(int limit)
{
    private readonly LinkedList<CancellationTokenSource> _waiting = new();

    public void Add(CancellationTokenSource connection)
    {
        lock (_waiting)
        {
            _waiting.AddLast(connection);
            if (_waiting.Count > limit)
            {
                // Cancelled under the lock: its owner removes it under the same lock before disposing it, so a connection
                // that sends its first byte meanwhile is either still here (and dropped) or gone (and left alone).
                var dropped = _waiting.First!.Value;
                _waiting.RemoveFirst();
                dropped.Cancel();
            }
        }
    }

    public void Remove(CancellationTokenSource connection)
    {
        lock (_waiting)
        {
            _waiting.Remove(connection);
        }
    }
}
