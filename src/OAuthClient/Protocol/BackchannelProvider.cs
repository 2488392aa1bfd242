using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;

namespace OAuthClient.Internal;

/// <summary>Gives each configured client its backchannel: the shared one, or the named HttpClient its options ask for.</summary>
internal sealed class BackchannelProvider : IDisposable
{
    /// <summary>The name of the HttpClient that carries token traffic unless a client names another.</summary>
    public const string DefaultName = "OAuthClient.TokenEndpoint";

    private readonly Backchannel? _fixed;
    private readonly IHttpMessageHandlerFactory? _handlers;
    private readonly IOptionsMonitor<HttpClientFactoryOptions>? _factoryOptions;
    private readonly BackchannelNames? _names;
    private readonly Dictionary<string, Backchannel> _named = new(StringComparer.Ordinal);

    /// <summary>Initializes a provider over the HttpClientFactory: each name is one of its named clients.</summary>
    public BackchannelProvider(IHttpMessageHandlerFactory handlers, IOptionsMonitor<HttpClientFactoryOptions> factoryOptions, BackchannelNames names)
    {
        _handlers = handlers;
        _factoryOptions = factoryOptions;
        _names = names;
    }

    /// <summary>Initializes a provider without dependency injection: every client uses <paramref name="backchannel"/>, which it owns.</summary>
    public BackchannelProvider(Backchannel backchannel) => _fixed = backchannel;

    /// <summary>Gets the backchannel named <paramref name="httpClientName"/>, or the shared one for <see langword="null"/>.</summary>
    public Backchannel Get(string? httpClientName)
    {
        if (_fixed is not null)
        {
            return _fixed;
        }

        var name = string.IsNullOrEmpty(httpClientName) ? DefaultName : httpClientName;
        lock (_named)
        {
            if (!_named.TryGetValue(name, out var backchannel))
            {
                // Known as a backchannel before its handlers are first built, so that BackchannelHandlerPolicy applies.
                _names!.Add(name);
                backchannel = Backchannel.FromFactory(_handlers!, _factoryOptions!, name);
                _named[name] = backchannel;
            }

            return backchannel;
        }
    }

    public void Dispose() => _fixed?.Dispose();
}
