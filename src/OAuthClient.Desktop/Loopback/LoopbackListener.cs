using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace OAuthClient.Desktop;

/// <summary>
/// Listens on 127.0.0.1 for the one authorization response of a sign-in (RFC 8252 §7.3). Requests for
/// other paths, garbage and callbacks with a wrong <c>state</c> are answered and ignored; the first callback
/// with the right path and state ends the wait. Disposing it (or the wait ending) releases the port.
/// </summary>
internal sealed class LoopbackListener : IDisposable
{
    private readonly Socket _socket;
    private readonly LoopbackLimits _limits;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    private LoopbackListener(Socket socket, LoopbackLimits limits, TimeProvider time, ILogger logger)
    {
        _socket = socket;
        _limits = limits;
        _time = time;
        _logger = logger;
        Port = ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>Gets the port the listener is bound to: the one asked for, or the one the system chose for port 0.</summary>
    public int Port { get; }

    /// <summary>Binds 127.0.0.1 on <paramref name="port"/> (0: any free port, read back, so no probing race).</summary>
    /// <exception cref="SocketException">The port is taken.</exception>
    public static LoopbackListener Start(int port, LoopbackLimits limits, TimeProvider time, ILogger logger)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (OperatingSystem.IsWindows())
            {
                // Windows lets another process bind the same port unless told otherwise; Unix does not.
                socket.ExclusiveAddressUse = true;
            }

            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            socket.Listen(16);
            return new LoopbackListener(socket, limits, time, logger);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            socket.Dispose();
            throw new InvalidOperationException(
                $"The sign-in could not listen on 127.0.0.1:{port}: another program uses that port. Close it, or set " +
                "RedirectPort to 0 so the system picks a free port (if the server allows any loopback port).", ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Builds <c>http://127.0.0.1:{port}/{path}</c>.</summary>
    public Uri RedirectUri(string path) => new($"http://127.0.0.1:{Port}/{path.TrimStart('/')}");

    /// <summary>Waits for the callback on <paramref name="path"/> that carries <paramref name="state"/>, then stops listening.</summary>
    /// <returns>The callback's parameters (from the query, or the form of a <c>form_post</c>).</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    public async Task<IReadOnlyDictionary<string, string>> WaitForCallbackAsync(string path, string state, CancellationToken cancellationToken)
    {
        var expectedPath = "/" + path.TrimStart('/');
        var callback = new TaskCompletionSource<IReadOnlyDictionary<string, string>>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var slots = new SemaphoreSlim(_limits.MaxConnections);
        var connections = new List<Task>();
        var idle = new IdleConnections(_limits.MaxIdleConnections);
        var accepting = AcceptAsync(expectedPath, state, callback, slots, idle, connections, stop.Token);
        try
        {
            return await callback.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            _socket.Dispose();
            await accepting.ConfigureAwait(false);
            Task[] pending;
            lock (connections)
            {
                pending = [.. connections];
            }

            await Task.WhenAll(pending).ConfigureAwait(false);
        }
    }

    public void Dispose() => _socket.Dispose();

    // Accepting never waits for a slot: a connection holds one only once it sends something, so idle connections from
    // any local process (or a browser's preconnects) cannot keep the browser's callback waiting.
    private async Task AcceptAsync(
        string path, string state, TaskCompletionSource<IReadOnlyDictionary<string, string>> callback,
        SemaphoreSlim slots, IdleConnections idle, List<Task> connections, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var client = await _socket.AcceptAsync(stop).ConfigureAwait(false);
                var connection = ServeAsync(client, path, state, callback, slots, idle, stop);
                lock (connections)
                {
                    connections.RemoveAll(c => c.IsCompleted);
                    connections.Add(connection);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The wait ended and closed the socket.
        }
    }

    private async Task ServeAsync(
        Socket client, string path, string state, TaskCompletionSource<IReadOnlyDictionary<string, string>> callback,
        SemaphoreSlim slots, IdleConnections idle, CancellationToken stop)
    {
        // Until its first byte a connection only waits, holding no slot; past MaxIdleConnections the oldest is dropped.
        using (var waiting = CancellationTokenSource.CreateLinkedTokenSource(stop))
        {
            try
            {
                idle.Add(waiting);
                await client.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, waiting.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                Log.ConnectionDropped(_logger, stop.IsCancellationRequested ? "listener stopped" : "idle");
                client.Dispose();
                return;
            }
            finally
            {
                idle.Remove(waiting);
            }
        }

        try
        {
            await slots.WaitAsync(stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            client.Dispose();
            return;
        }

        using var timeout = new CancellationTokenSource(_limits.ReadTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, stop);
        try
        {
            var stream = new NetworkStream(client, ownsSocket: true);
            await using var disposeStream = stream.ConfigureAwait(false);
            var request = await HttpRequestReader.ReadAsync(stream, _limits.MaxRequestBytes, linked.Token).ConfigureAwait(false);
            var (page, parameters) = Answer(request, path, state);
            await stream.WriteAsync(page, linked.Token).ConfigureAwait(false);
            if (parameters is not null)
            {
                callback.TrySetResult(parameters);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException)
        {
            Log.ConnectionDropped(_logger, timeout.IsCancellationRequested ? "read timeout" : ex.GetType().Name);
        }
        finally
        {
            client.Dispose();
            slots.Release();
        }
    }

    private (byte[] Page, IReadOnlyDictionary<string, string>? Parameters) Answer(LoopbackRequest? request, string path, string state)
    {
        if (request is null)
        {
            return (CallbackPage.BadRequest(), null);
        }

        if (!string.Equals(request.Path, path, StringComparison.Ordinal))
        {
            Log.CallbackIgnored(_logger, request.Method);
            return (CallbackPage.NotFound(), null);
        }

        var parameters = request.Method switch
        {
            "GET" => LoopbackRequest.ParseForm(request.Query),
            "POST" when request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true
                => LoopbackRequest.ParseForm(request.Body),
            _ => null,
        };

        if (parameters is null)
        {
            return (CallbackPage.BadRequest(), null);
        }

        if (!parameters.TryGetValue("state", out var received) || !FixedTimeEquals(received, state))
        {
            Log.CallbackStateMismatch(_logger);
            return (CallbackPage.WrongState(), null);
        }

        return parameters.TryGetValue("error", out var error)
            ? (CallbackPage.Failure(error, parameters.GetValueOrDefault("error_description")), parameters)
            : (CallbackPage.Success(), parameters);
    }

    private static bool FixedTimeEquals(string a, string b) =>
        System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.UTF8.GetBytes(a), System.Text.Encoding.UTF8.GetBytes(b));
}
