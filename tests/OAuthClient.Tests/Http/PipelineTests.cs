using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OAuthClient.Tests.Support;

namespace OAuthClient.Tests.Http;

/// <summary>Synchronous <c>HttpClient.Send</c> and bodies that cannot be sent twice, through the factory as users wire it.</summary>
public sealed class PipelineTests : IDisposable
{
    private readonly TokenEndpointStub _tokens = new();
    private readonly RecordingTransport _api = new();
    private ServiceProvider? _provider;

    public void Dispose() => _provider?.Dispose();

    [Fact]
    public void Send_SynchronousOnColdCache_CarriesTheToken()
    {
        using var client = CreateClient();

        using var response = client.Send(new HttpRequestMessage(HttpMethod.Get, "orders"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["Bearer access-token-1"], _api.Authorizations);
        Assert.Equal(1, _api.SyncSends);
    }

    [Fact]
    public void Send_SynchronousHit_NoNewTokenRequest()
    {
        using var client = CreateClient();
        client.Send(new HttpRequestMessage(HttpMethod.Get, "orders")).Dispose();

        using var response = client.Send(new HttpRequestMessage(HttpMethod.Get, "orders"));

        Assert.Equal(["Bearer access-token-1", "Bearer access-token-1"], _api.Authorizations);
        Assert.Equal(1, _tokens.RequestCount);
    }

    [Fact]
    public void Send_Synchronous401_RetriedOnceWithNewToken()
    {
        _api.Answers.Enqueue(HttpStatusCode.Unauthorized);
        using var client = CreateClient();

        using var response = client.Send(new HttpRequestMessage(HttpMethod.Post, "orders") { Content = new StringContent("x") });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["Bearer access-token-1", "Bearer access-token-2"], _api.Authorizations);
    }

    [Fact]
    public void Send_SynchronousSecond401_ReturnedWithoutThirdAttempt()
    {
        _api.Answers.Enqueue(HttpStatusCode.Unauthorized);
        _api.Answers.Enqueue(HttpStatusCode.Unauthorized);
        using var client = CreateClient();

        using var response = client.Send(new HttpRequestMessage(HttpMethod.Get, "orders"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(2, _api.Authorizations.Count);
    }

    [Fact]
    public void Send_SynchronousTokenEndpointRefuses_ThrowsWithoutCallingApi()
    {
        _tokens.Then(() => TokenEndpointStub.Error(HttpStatusCode.Unauthorized, "invalid_client", "No."));
        using var client = CreateClient();

        var error = Assert.Throws<TokenRequestException>(() => client.Send(new HttpRequestMessage(HttpMethod.Get, "orders")));

        Assert.Equal("invalid_client", error.Error);
        Assert.Empty(_api.Authorizations);
    }

    [Fact]
    public async Task SendAsync_NonSeekable64MiBUpload_NothingReadBeforeTheTransportAndNotBuffered()
    {
        const long size = 64L * 1024 * 1024;
        using var client = CreateClient();
        (await client.GetAsync("warm-up")).Dispose();
        var body = new CountingStream(size);
        _api.ReadSoFar = () => body.BytesRead;
        using var request = new HttpRequestMessage(HttpMethod.Post, "upload") { Content = new StreamContent(body, 81920) };

        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        using var response = await client.SendAsync(request);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, _api.BytesReadBeforeTransport);
        Assert.Equal(size, body.BytesRead);
        Assert.True(allocated < size / 16, $"Allocated {allocated} bytes for a {size}-byte body.");
    }

    [Fact]
    public async Task SendAsync_StreamedUploadAnswered401_NotResentAndNextRequestGetsNewToken()
    {
        _api.Answers.Enqueue(HttpStatusCode.Unauthorized);
        using var client = CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "upload") { Content = new StreamContent(new CountingStream(1024)) };

        using var response = await client.SendAsync(request);
        using var next = await client.GetAsync("orders");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(["Bearer access-token-1", "Bearer access-token-2"], _api.Authorizations);
    }

    private HttpClient CreateClient()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 8, 0, 0, TimeSpan.Zero)));
        services.AddHttpClient(OAuthClientHttpClientBuilderExtensions.TokenEndpointHttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => _tokens.Handler);
        services.AddHttpClient(TestServices.ClientName, c => c.BaseAddress = ApiStub.BaseAddress)
            .ConfigurePrimaryHttpMessageHandler(() => _api)
            .AddClientCredentialsToken(TestServices.Defaults);
        _provider = services.BuildServiceProvider();
        return _provider.GetRequiredService<IHttpClientFactory>().CreateClient(TestServices.ClientName);
    }

    /// <summary>A transport with a synchronous and an asynchronous path that drains bodies as a socket would.</summary>
    private sealed class RecordingTransport : HttpMessageHandler
    {
        public List<string?> Authorizations { get; } = [];

        public Queue<HttpStatusCode> Answers { get; } = new();

        public int SyncSends { get; private set; }

        public long BytesReadBeforeTransport { get; private set; } = -1;

        public Func<long>? ReadSoFar { get; set; }

        protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            SyncSends++;
            request.Content?.CopyTo(Stream.Null, null, cancellationToken);
            return Answer(request);
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Content is StreamContent && ReadSoFar is { } readSoFar && BytesReadBeforeTransport < 0)
            {
                BytesReadBeforeTransport = readSoFar();
            }

            if (request.Content is { } content)
            {
                await content.CopyToAsync(Stream.Null, cancellationToken);
            }

            return Answer(request);
        }

        private HttpResponseMessage Answer(HttpRequestMessage request)
        {
            Authorizations.Add(request.Headers.Authorization?.ToString());
            var status = Answers.TryDequeue(out var next) ? next : HttpStatusCode.OK;
            return new HttpResponseMessage(status) { RequestMessage = request };
        }
    }

    /// <summary>A read-only, non-seekable stream of zeros that counts what was read from it.</summary>
    private sealed class CountingStream(long length) : Stream
    {
        private long _read;

        public long BytesRead => _read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = (int)Math.Min(buffer.Length, length - _read);
            buffer[..n].Clear();
            _read += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            new(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
