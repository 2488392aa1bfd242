using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OAuthClient.Desktop;

/// <summary>Gives the <see cref="InteractiveSignIn"/> of each HttpClient registered with <c>AddInteractiveSignIn</c>, to sign in and out.</summary>
/// <remarks>A singleton; thread-safe.</remarks>
public sealed class InteractiveSignInProvider : IDisposable
{
    private readonly IServiceProvider _services;
    private readonly ConcurrentDictionary<string, Lazy<InteractiveSignIn>> _signIns = new(StringComparer.Ordinal);

    /// <summary>Initializes a new instance of the <see cref="InteractiveSignInProvider"/> class.</summary>
    /// <param name="services">The services that hold the options, store, browser and token client.</param>
    public InteractiveSignInProvider(IServiceProvider services) => _services = services;

    /// <summary>Gets the sign-in of the HttpClient named <paramref name="name"/>.</summary>
    /// <param name="name">The HttpClient's name.</param>
    /// <returns>The one <see cref="InteractiveSignIn"/> of that client.</returns>
    /// <exception cref="OptionsValidationException">The client's options are invalid.</exception>
    public InteractiveSignIn Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var signIn = _signIns.GetOrAdd(name, n => new Lazy<InteractiveSignIn>(() => Create(n)));
        try
        {
            return signIn.Value;
        }
        catch
        {
            // A name nobody configured (or whose options do not validate) leaves nothing behind.
            _signIns.TryRemove(new KeyValuePair<string, Lazy<InteractiveSignIn>>(name, signIn));
            throw;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var signIn in _signIns.Values)
        {
            if (signIn.IsValueCreated)
            {
                signIn.Value.Dispose();
            }
        }
    }

    private InteractiveSignIn Create(string name) => new(
        name,
        _services.GetRequiredService<IOptionsMonitor<InteractiveSignInOptions>>().Get(name),
        _services.GetRequiredService<IOptionsMonitor<ClientKeys>>().Get(name),
        _services.GetRequiredService<ITokenStore>(),
        _services.GetRequiredService<IBrowser>(),
        _services.GetRequiredService<BackchannelProvider>().Get(httpClientName: null),
        ownsBackchannel: false,
        _services.GetRequiredService<TimeProvider>(),
        _services.GetRequiredService<ILoggerFactory>(),
        _services.GetRequiredService<TokenCache>());
}
