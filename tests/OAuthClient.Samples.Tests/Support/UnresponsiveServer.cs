using System.Net;
using System.Net.Sockets;

namespace OAuthClient.Samples.Tests.Support;

/// <summary>A server on 127.0.0.1 that accepts connections and never answers: an authority stuck upstream.</summary>
internal sealed class UnresponsiveServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<Socket> _connections = [];
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public UnresponsiveServer()
    {
        _listener.Start();
        _ = AcceptAsync();
    }

    /// <summary>Gets the server's address, such as <c>http://127.0.0.1:41067/</c>.</summary>
    public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    /// <summary>Waits until a client has connected: from then on, that client is waiting for an answer.</summary>
    /// <exception cref="TimeoutException">No connection within 60 s.</exception>
    public Task WaitForConnectionAsync() => _connected.Task.WaitAsync(TimeSpan.FromSeconds(60));

    public void Dispose()
    {
        _listener.Stop();
        lock (_connections)
        {
            _connections.ForEach(c => c.Dispose());
        }
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var connection = await _listener.AcceptSocketAsync();
                lock (_connections)
                {
                    _connections.Add(connection);
                }

                _connected.TrySetResult();
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }
}
