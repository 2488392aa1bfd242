using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace OAuthClient.Desktop.Tests.Support;

/// <summary>An <see cref="InteractiveSignIn"/> wired to the stub server, the test browser, an in-memory store, a fake clock and a capturing logger.</summary>
public sealed class SignInFixture : IDisposable
{
    public const string ClientId = "desktop-app";
    public static readonly Uri Api = new("https://api.example.com/");

    private readonly Lazy<InteractiveSignIn> _signIn;
    private readonly ILoggerFactory _loggers;

    public SignInFixture()
    {
        Browser = new TestBrowser(Server);
        Server.Clock = Time;
        _loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));
        Options.ApiOrigins.Add(Api);
        _signIn = new Lazy<InteractiveSignIn>(() => new InteractiveSignIn(Options, Store, Browser, Server.Handler, Time, _loggers));
    }

    public AuthServerStub Server { get; } = new();

    public TestBrowser Browser { get; }

    public ApiStub ApiStub { get; } = new();

    public InMemoryTokenStore Store { get; } = new();

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));

    public CapturingLoggerProvider Logs { get; } = new();

    public InteractiveSignInOptions Options { get; } = new()
    {
        Authority = AuthServerStub.Authority,
        ClientId = ClientId,
        Scope = "openid offline_access api",
    };

    public InteractiveSignIn SignIn => _signIn.Value;

    public string StoreKey => Options.StoreKey ?? SignInSession.DefaultStoreKey(Options);

    public HttpClient CreateApiClient() => new(SignIn.CreateHandler(ApiStub.Handler)) { BaseAddress = Api };

    /// <summary>Stores tokens as an earlier run would have: an expired access token and a refresh token the server accepts.</summary>
    public Task SeedAsync(string refreshToken = "refresh-token-0", string accessToken = "access-token-0", TimeSpan? validFor = null)
    {
        Server.AcceptRefreshToken(refreshToken);
        return Store.WriteAsync(
            StoreKey,
            new StoredTokens
            {
                RefreshToken = refreshToken,
                AccessToken = accessToken,
                TokenType = "Bearer",
                AccessTokenExpiresAt = Time.GetUtcNow() + (validFor ?? TimeSpan.FromMinutes(-1)),
            },
            CancellationToken.None);
    }

    public Task<StoredTokens?> StoredAsync() => Store.ReadAsync(StoreKey, CancellationToken.None);

    /// <summary>Moves the fake clock a second at a time, letting <paramref name="flow"/> run between steps, until it ends.</summary>
    /// <remarks>For flows that wait on the clock (a device sign-in polling): the same steps whatever the machine's speed.</remarks>
    public async Task<T> RunOnClockAsync<T>(Task<T> flow)
    {
        await AdvanceUntilAsync(flow, () => false);
        return await flow;
    }

    /// <summary>Moves the fake clock a second at a time until <paramref name="flow"/> ends or <paramref name="done"/> says so.</summary>
    public async Task AdvanceUntilAsync(Task flow, Func<bool> done)
    {
        // A guard against a hang, counted in steps: the flows here end within a few minutes of fake time.
        for (var step = 0; !flow.IsCompleted && !done(); step++)
        {
            Assert.True(step < 2_000, "the flow did not finish");
            await Task.Delay(5);
            Time.Advance(TimeSpan.FromSeconds(1));
        }
    }

    public void Dispose()
    {
        if (_signIn.IsValueCreated)
        {
            _signIn.Value.Dispose();
        }

        _loggers.Dispose();
    }
}
