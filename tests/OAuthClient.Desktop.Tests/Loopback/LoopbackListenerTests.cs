using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using OAuthClient.Desktop.Tests.Support;

namespace OAuthClient.Desktop.Tests.Loopback;

public sealed class LoopbackListenerTests : IDisposable
{
    private const string State = "state-5d1e";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private readonly LoopbackListener _listener;
    private readonly HttpClient _http = new() { Timeout = Bound };

    public LoopbackListenerTests() => _listener = LoopbackListener.Start(0, LoopbackLimits.Default, TimeProvider.System, NullLogger.Instance);

    public void Dispose()
    {
        _listener.Dispose();
        _http.Dispose();
    }

    private Uri Callback(string query = "") => new($"http://127.0.0.1:{_listener.Port}/callback{query}");

    private Task<IReadOnlyDictionary<string, string>> WaitAsync(CancellationToken cancellationToken = default) =>
        _listener.WaitForCallbackAsync("callback", State, cancellationToken).WaitAsync(Bound, CancellationToken.None);

    [Fact]
    public void Start_PortZero_BindsAnEphemeralPortOn127001Only()
    {
        Assert.NotEqual(0, _listener.Port);
        Assert.Equal($"http://127.0.0.1:{_listener.Port}/callback", _listener.RedirectUri("callback").AbsoluteUri);
        Assert.False(Ports.IsFree(_listener.Port));
    }

    [Fact]
    public async Task WaitForCallbackAsync_GetWithRightState_ReturnsParametersAndSuccessPage()
    {
        var waiting = WaitAsync();

        using var response = await _http.GetAsync(Callback($"?code=c1&state={State}"));

        var parameters = await waiting;
        Assert.Equal("c1", parameters["code"]);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("signed in", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task WaitForCallbackAsync_ManyIdleConnectionsFirst_CallbackServedAtOnce()
    {
        // Idle sockets from another local process (or preconnects) must not hold the browser back until read timeouts.
        using var listener = LoopbackListener.Start(0, LoopbackLimits.Default with { ReadTimeout = TimeSpan.FromMinutes(2) }, TimeProvider.System, NullLogger.Instance);
        var waiting = listener.WaitForCallbackAsync("callback", State, CancellationToken.None);
        var idle = new List<TcpClient>();
        try
        {
            for (var i = 0; i < 24; i++)
            {
                var socket = new TcpClient();
                await socket.ConnectAsync(IPAddress.Loopback, listener.Port);
                idle.Add(socket);
            }

            using var response = await _http.GetAsync(new Uri($"http://127.0.0.1:{listener.Port}/callback?code=c9&state={State}"));
            var parameters = await waiting.WaitAsync(Bound);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("c9", parameters["code"]);
        }
        finally
        {
            idle.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task WaitForCallbackAsync_MoreIdleConnectionsThanTheLimit_OldestDroppedAndCallbackServed()
    {
        using var listener = LoopbackListener.Start(
            0, LoopbackLimits.Default with { MaxIdleConnections = 4, ReadTimeout = TimeSpan.FromMinutes(2) }, TimeProvider.System, NullLogger.Instance);
        var waiting = listener.WaitForCallbackAsync("callback", State, CancellationToken.None);
        var idle = new List<TcpClient>();
        try
        {
            for (var i = 0; i < 6; i++)
            {
                var socket = new TcpClient();
                await socket.ConnectAsync(IPAddress.Loopback, listener.Port);
                idle.Add(socket);
            }

            var oldest = idle[0].GetStream();
            var closed = await oldest.ReadAsync(new byte[1]).AsTask().WaitAsync(Bound);
            using var response = await _http.GetAsync(new Uri($"http://127.0.0.1:{listener.Port}/callback?code=c10&state={State}"));

            Assert.Equal(0, closed);
            Assert.Equal("c10", (await waiting.WaitAsync(Bound))["code"]);
        }
        finally
        {
            idle.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task WaitForCallbackAsync_FormPost_ReturnsParameters()
    {
        var waiting = WaitAsync();

        using var response = await _http.PostAsync(Callback(), new FormUrlEncodedContent(new Dictionary<string, string> { ["code"] = "c2", ["state"] = State }));

        Assert.Equal("c2", (await waiting)["code"]);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task WaitForCallbackAsync_FaviconFirst_IgnoredAndKeepsListening()
    {
        var waiting = WaitAsync();

        using var favicon = await _http.GetAsync($"http://127.0.0.1:{_listener.Port}/favicon.ico");
        Assert.False(waiting.IsCompleted);
        using var response = await _http.GetAsync(Callback($"?code=c3&state={State}"));

        Assert.Equal(HttpStatusCode.NotFound, favicon.StatusCode);
        Assert.Equal("c3", (await waiting)["code"]);
    }

    [Fact]
    public async Task WaitForCallbackAsync_WrongStateThenRightState_RejectsFirstAcceptsSecond()
    {
        var waiting = WaitAsync();

        using var forged = await _http.GetAsync(Callback("?code=forged&state=attacker"));
        Assert.False(waiting.IsCompleted);
        using var missing = await _http.GetAsync(Callback("?code=forged"));
        using var response = await _http.GetAsync(Callback($"?code=real&state={State}"));

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal("real", (await waiting)["code"]);
    }

    [Fact]
    public async Task WaitForCallbackAsync_ErrorCallback_EndsWaitAndShowsTheErrorHtmlEncoded()
    {
        var waiting = WaitAsync();

        using var response = await _http.GetAsync(Callback($"?error=access_denied&error_description={Uri.EscapeDataString("<script>x</script>")}&state={State}"));

        var page = await response.Content.ReadAsStringAsync();
        Assert.Equal("access_denied", (await waiting)["error"]);
        Assert.Contains("&lt;script&gt;", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", page, StringComparison.Ordinal);
        Assert.Contains("not granted", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitForCallbackAsync_GarbageBytes_AnsweredBadRequestAndKeepsListening()
    {
        var waiting = WaitAsync();

        var answer = await SendRawAsync(_listener.Port, new byte[] { 0x16, 0x03, 0x01, 0x00, 0xff, 0x0d, 0x0a, 0x0d, 0x0a });
        using var response = await _http.GetAsync(Callback($"?code=c4&state={State}"));

        Assert.StartsWith("HTTP/1.1 400", answer, StringComparison.Ordinal);
        Assert.Equal("c4", (await waiting)["code"]);
    }

    [Fact]
    public async Task WaitForCallbackAsync_OversizedRequest_RejectedAndKeepsListening()
    {
        using var listener = LoopbackListener.Start(0, LoopbackLimits.Default with { MaxRequestBytes = 1024 }, TimeProvider.System, NullLogger.Instance);
        var waiting = listener.WaitForCallbackAsync("callback", State, CancellationToken.None).WaitAsync(Bound);

        // Exactly the limit and no end of headers: the listener reads it all, finds no request, and says so.
        var answer = await SendRawAsync(listener.Port, Encoding.ASCII.GetBytes($"GET /callback?pad={new string('a', 1024 - 18)}"));
        using var response = await _http.GetAsync($"http://127.0.0.1:{listener.Port}/callback?code=c5&state={State}");

        Assert.StartsWith("HTTP/1.1 400", answer, StringComparison.Ordinal);
        Assert.Equal("c5", (await waiting)["code"]);
    }

    [Fact]
    public async Task WaitForCallbackAsync_SlowClient_DoesNotBlockTheCallbackAndIsDroppedAfterReadTimeout()
    {
        using var listener = LoopbackListener.Start(0, LoopbackLimits.Default with { ReadTimeout = TimeSpan.FromMilliseconds(300) }, TimeProvider.System, NullLogger.Instance);
        var waiting = listener.WaitForCallbackAsync("callback", State, CancellationToken.None).WaitAsync(Bound);
        using var slow = new TcpClient();
        await slow.ConnectAsync(IPAddress.Loopback, listener.Port);
        await slow.GetStream().WriteAsync("GET /callback?code=x"u8.ToArray());

        var dropped = await slow.GetStream().ReadAsync(new byte[1024]).AsTask().WaitAsync(Bound);
        using var response = await _http.GetAsync($"http://127.0.0.1:{listener.Port}/callback?code=c6&state={State}");

        Assert.Equal(0, dropped);
        Assert.Equal("c6", (await waiting)["code"]);
    }

    [Fact]
    public async Task WaitForCallbackAsync_ValidCallback_StopsListeningAndReleasesPort()
    {
        var waiting = WaitAsync();
        using var response = await _http.GetAsync(Callback($"?code=c7&state={State}"));
        await waiting;

        Assert.True(Ports.IsFree(_listener.Port));
    }

    [Fact]
    public async Task WaitForCallbackAsync_Cancelled_ThrowsAndReleasesPort()
    {
        using var cancellation = new CancellationTokenSource();
        var waiting = WaitAsync(cancellation.Token);

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.True(Ports.IsFree(_listener.Port));
    }

    private static async Task<string> SendRawAsync(int port, byte[] bytes)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        await stream.WriteAsync(bytes);
        var buffer = new byte[4096];
        var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(Bound);
        return Encoding.ASCII.GetString(buffer, 0, read);
    }
}
