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

    /// <summary>
    /// Asserts that the device polls came at <paramref name="expected"/> seconds from <paramref name="start"/>. The clock steps
    /// on while the flow runs: on a busy machine a wait may start a step or two after the answer before it, never sooner, so
    /// each gap may be up to <see cref="ClockSlack"/> seconds longer than expected, never shorter.
    /// </summary>
    public void AssertPolledAt(DateTimeOffset start, params int[] expected)
    {
        var actual = Server.DevicePolls.Select(t => (int)(t - start).TotalSeconds).ToArray();
        var message = $"polled at [{string.Join(", ", actual)}] s, expected [{string.Join(", ", expected)}] s with gaps up to {ClockSlack} s longer";
        Assert.True(actual.Length == expected.Length, message);
        for (var i = 0; i < expected.Length; i++)
        {
            var gap = actual[i] - (i == 0 ? 0 : actual[i - 1]);
            var expectedGap = expected[i] - (i == 0 ? 0 : expected[i - 1]);
            Assert.True(gap >= expectedGap && gap <= expectedGap + ClockSlack, message);
        }
    }

    /// <summary>How many seconds later than expected a wait may end in <see cref="AssertPolledAt"/>.</summary>
    public const int ClockSlack = 2;

    public void Dispose()
    {
        if (_signIn.IsValueCreated)
        {
            _signIn.Value.Dispose();
        }

        _loggers.Dispose();
    }
}
