using System.Collections.Concurrent;
using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using OAuthClient.IntegrationTests.Support;
using OAuthClient.Samples;

namespace OAuthClient.IntegrationTests.Grpc;

/// <summary>
/// A live gRPC server (Grpc.AspNetCore on Kestrel, HTTP/2 on loopback) called through <c>AddGrpcClient</c> +
/// <c>AddClientCredentialsToken</c>, with tokens from the development server: every call type carries the token, and
/// streaming requests flow as they are written (none is buffered).
/// </summary>
public sealed class GrpcTests(DevServerFixture fixture) : IClassFixture<DevServerFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private readonly DevAuthorizationServer _server = fixture.Server;
    private readonly ConcurrentQueue<string> _authorizations = new();
    private readonly string _clientId = $"{DevClients.WorkerClientId}.{Guid.NewGuid():N}";
    private WebApplication? _app;
    private ServiceProvider? _services;
    private Uri _address = null!;
    private int _rejectNext;

    /// <summary>Completes when the server has read the first message of a client stream.</summary>
    internal TaskCompletionSource FirstClientMessage { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(new EchoService(this));
        _app = builder.Build();
        _app.Use(async (context, next) =>
        {
            _authorizations.Enqueue(context.Request.Headers.Authorization.ToString());
            if (Interlocked.Exchange(ref _rejectNext, 0) == 1)
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
                return;
            }

            await next(context);
        });
        _app.MapGrpcService<EchoService>();
        await _app.StartAsync();
        _address = new Uri(LoopbackApps.Address(_app));
        _services = CreateServices(configureChannel: null);
    }

    public async Task DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }

        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private Echo.Client Client => _services!.GetRequiredService<Echo.Client>();

    [Fact]
    public async Task Unary_CarriesTheToken()
    {
        using var cancel = new CancellationTokenSource(Bound);

        var answer = await Client.UnaryAsync("hello", new CallOptions(cancellationToken: cancel.Token));

        Assert.Equal("hello", answer);
        Assert.StartsWith("Bearer ", Assert.Single(_authorizations), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerStreaming_CarriesTheToken()
    {
        using var cancel = new CancellationTokenSource(Bound);
        using var call = Client.ServerStream("x", new CallOptions(cancellationToken: cancel.Token));

        var received = new List<string>();
        await foreach (var message in call.ResponseStream.ReadAllAsync(cancel.Token))
        {
            received.Add(message);
        }

        Assert.Equal(["x1", "x2", "x3"], received);
        Assert.StartsWith("Bearer ", Assert.Single(_authorizations), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientStreaming_FirstMessageReachesTheServerBeforeTheClientCompletes()
    {
        using var cancel = new CancellationTokenSource(Bound);
        using var call = Client.ClientStream(new CallOptions(cancellationToken: cancel.Token));

        await call.RequestStream.WriteAsync("a", cancel.Token);
        await FirstClientMessage.Task.WaitAsync(cancel.Token);
        await call.RequestStream.WriteAsync("b", cancel.Token);
        await call.RequestStream.CompleteAsync();
        var answer = await call;

        Assert.Equal("a,b", answer);
        Assert.StartsWith("Bearer ", Assert.Single(_authorizations), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BidirectionalStreaming_PingPongCarriesTheToken()
    {
        using var cancel = new CancellationTokenSource(Bound);
        using var call = Client.Duplex(new CallOptions(cancellationToken: cancel.Token));
        var answers = new List<string>();

        foreach (var ping in new[] { "ping1", "ping2", "ping3" })
        {
            await call.RequestStream.WriteAsync(ping, cancel.Token);
            Assert.True(await call.ResponseStream.MoveNext(cancel.Token));
            answers.Add(call.ResponseStream.Current);
        }

        await call.RequestStream.CompleteAsync();

        Assert.Equal(["pong1", "pong2", "pong3"], answers);
        Assert.StartsWith("Bearer ", Assert.Single(_authorizations), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryCallType_OneTokenRequestServesThemAll()
    {
        using var cancel = new CancellationTokenSource(Bound);
        var options = new CallOptions(cancellationToken: cancel.Token);

        await Client.UnaryAsync("one", options);
        using (var stream = Client.ServerStream("two", options))
        {
            await foreach (var message in stream.ResponseStream.ReadAllAsync(cancel.Token))
            {
            }
        }

        Assert.Equal(1, _server.GetTokenRequestCount(_clientId));
        Assert.Single(_authorizations.Distinct());
    }

    [Fact]
    public async Task Unary_Http401_UnauthenticatedAndTheNextCallGetsANewToken()
    {
        using var cancel = new CancellationTokenSource(Bound);
        var options = new CallOptions(cancellationToken: cancel.Token);
        await Client.UnaryAsync("warm", options);
        Interlocked.Exchange(ref _rejectNext, 1);

        var error = await Assert.ThrowsAsync<RpcException>(() => Client.UnaryAsync("rejected", options).ResponseAsync);
        var answer = await Client.UnaryAsync("again", options);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Equal("again", answer);
        Assert.Equal(2, _server.GetTokenRequestCount(_clientId));
        var tokens = _authorizations.ToArray();
        Assert.Equal(tokens[0], tokens[1]);
        Assert.NotEqual(tokens[1], tokens[2]);
    }

    [Fact]
    public async Task Unary_Http401WithTheChannelsRetryPolicy_RetriedOnceWithANewToken()
    {
        // gRPC keeps the message and re-creates the HTTP request on its own retry, so the retry gets the new token.
        await using var provider = CreateServices(o => o.ServiceConfig = new ServiceConfig
            {
                MethodConfigs =
                {
                    new MethodConfig
                    {
                        Names = { MethodName.Default },
                        RetryPolicy = new RetryPolicy
                        {
                            MaxAttempts = 2,
                            InitialBackoff = TimeSpan.FromMilliseconds(1),
                            MaxBackoff = TimeSpan.FromMilliseconds(1),
                            BackoffMultiplier = 1,
                            RetryableStatusCodes = { StatusCode.Unauthenticated },
                        },
                    },
                },
            });
        var client = provider.GetRequiredService<Echo.Client>();
        using var cancel = new CancellationTokenSource(Bound);
        await client.UnaryAsync("warm", new CallOptions(cancellationToken: cancel.Token));
        Interlocked.Exchange(ref _rejectNext, 1);

        var answer = await client.UnaryAsync("retried", new CallOptions(cancellationToken: cancel.Token));

        Assert.Equal("retried", answer);
        Assert.Equal(2, _server.GetTokenRequestCount(_clientId));
        var tokens = _authorizations.ToArray();
        Assert.Equal(3, tokens.Length);
        Assert.Equal(tokens[0], tokens[1]);
        Assert.NotEqual(tokens[1], tokens[2]);
    }

    // The gRPC client as an application registers it, with tokens from the development server.
    private ServiceProvider CreateServices(Action<GrpcChannelOptions>? configureChannel)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        var client = services.AddGrpcClient<Echo.Client>(o => o.Address = _address);
        if (configureChannel is not null)
        {
            client.ConfigureChannel(configureChannel);
        }

        client.AddClientCredentialsToken(o =>
        {
            o.Authority = _server.Issuer;
            o.ClientId = _clientId;
            o.ClientSecret = DevClients.WorkerClientSecret;
            o.Scope = DevClients.ApiReadScope;
            o.ApiOrigins.Add(_address);
        });
        return services.BuildServiceProvider();
    }

    /// <summary>Echoes, and tells the test when the first message of a client stream arrived.</summary>
    private sealed class EchoService(GrpcTests test) : Echo.ServiceBase
    {
        public override Task<string> Unary(string request, ServerCallContext context) => Task.FromResult(request);

        public override async Task ServerStream(string request, IServerStreamWriter<string> responses, ServerCallContext context)
        {
            for (var i = 1; i <= 3; i++)
            {
                await responses.WriteAsync(request + i, context.CancellationToken);
            }
        }

        public override async Task<string> ClientStream(IAsyncStreamReader<string> requests, ServerCallContext context)
        {
            var received = new List<string>();
            while (await requests.MoveNext(context.CancellationToken))
            {
                received.Add(requests.Current);
                test.FirstClientMessage.TrySetResult();
            }

            return string.Join(',', received);
        }

        public override async Task Duplex(IAsyncStreamReader<string> requests, IServerStreamWriter<string> responses, ServerCallContext context)
        {
            while (await requests.MoveNext(context.CancellationToken))
            {
                await responses.WriteAsync(requests.Current.Replace("ping", "pong", StringComparison.Ordinal), context.CancellationToken);
            }
        }
    }
}
