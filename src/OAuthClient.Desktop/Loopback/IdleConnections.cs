namespace OAuthClient.Desktop;

/// <summary>The connections that have sent nothing yet, oldest first; past the limit the oldest is dropped.</summary>
internal sealed class IdleConnections(int limit)
{
    private readonly LinkedList<CancellationTokenSource> _waiting = new();

    public void Add(CancellationTokenSource connection)
    {
        CancellationTokenSource? dropped = null;
        lock (_waiting)
        {
            _waiting.AddLast(connection);
            if (_waiting.Count > limit)
            {
                dropped = _waiting.First!.Value;
                _waiting.RemoveFirst();
            }
        }

        dropped?.Cancel();
    }

    public void Remove(CancellationTokenSource connection)
    {
        lock (_waiting)
        {
            _waiting.Remove(connection);
        }
    }
}
