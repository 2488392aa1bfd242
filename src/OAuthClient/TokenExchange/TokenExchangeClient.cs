using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OAuthClient.Internal;

/// <summary>
/// The token-exchange client of one HttpClient: for each request, the token of the user it is made for, from the cache
/// or from the one exchange in flight for that user. Users are told apart by the SHA-256 of their subject tokens.
/// </summary>
internal sealed class TokenExchangeClient : IApiTokenClient
{
    private readonly IOptionsMonitor<TokenExchangeOptions> _options;
    private readonly ClientCredentialsTokenProvider _tokenClients;
    private readonly ISubjectTokenSource _subjects;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private volatile TokenExchangeSettings? _settings;
    private int _version;

    // The source of the subject token instance seen last: the requests one incoming request makes downstream pass the same
    // string, and skip hashing it again. Holds that one subject token until another replaces it.
    private volatile TokenExchangeTokenSource? _last;

    public TokenExchangeClient(
        string name,
        IOptionsMonitor<TokenExchangeOptions> options,
        ClientCredentialsTokenProvider tokenClients,
        ISubjectTokenSource subjects,
        TimeProvider time,
        ILoggerFactory loggers)
    {
        Name = name;
        _options = options;
        _tokenClients = tokenClients;
        _subjects = subjects;
        _time = time;
        _loggers = loggers;
    }

    public string Name { get; }

    public ApiOrigin[] ApiOrigins => Settings.ApiOrigins;

    /// <summary>Gets the current version of the settings, making a new one after a change of these options or the token client's.</summary>
    /// <exception cref="OptionsValidationException">The options (of this client or of its token client) are invalid.</exception>
    public TokenExchangeSettings Settings
    {
        get
        {
            var settings = _settings;
            return settings is not null && ReferenceEquals(settings.TokenSource, settings.TokenClient.CurrentSource)
                ? settings
                : CreateSettings(settings);
        }
    }

    public bool TryGetCachedToken(HttpRequestMessage request, [NotNullWhen(true)] out AccessToken? token)
    {
        if (SubjectOf(request) is { } subject)
        {
            var settings = Settings;
            return settings.Cache.TryGet(SourceFor(settings, subject), out token);
        }

        token = null;
        return false;
    }

    public ValueTask<AccessToken> GetTokenAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var subject = SubjectOf(request) ?? throw new MissingSubjectTokenException(
            Name, "Its ISubjectTokenSource found none: make the call while handling a request that carries the user's token.");
        var settings = Settings;
        var source = SourceFor(settings, subject);
        return settings.Cache.TryGet(source, out var token)
            ? new ValueTask<AccessToken>(token)
            : new ValueTask<AccessToken>(settings.Cache.GetOrAcquireAsync(source, cancellationToken));
    }

    public void Invalidate(HttpRequestMessage request, AccessToken rejected)
    {
        if (SubjectOf(request) is { } subject && _settings is { } settings)
        {
            settings.Cache.Remove(TokenExchangeTokenSource.KeyOf(settings, subject), rejected);
        }
    }

    private TokenExchangeTokenSource SourceFor(TokenExchangeSettings settings, SubjectToken subject)
    {
        if (_last is { } last && last.Serves(settings, subject))
        {
            return last;
        }

        var source = new TokenExchangeTokenSource(settings, subject);
        _last = source;
        return source;
    }

    // default(SubjectToken) (what `new SubjectToken()` makes) holds no token: no user either, never one shared empty subject.
    private SubjectToken? SubjectOf(HttpRequestMessage request) =>
        _subjects.GetSubjectToken(request) is { Token: not null } subject ? subject : null;

    /// <summary>Drops the settings (and every user's token) of the old options; called when this client's options change.</summary>
    public void Reset()
    {
        Interlocked.Increment(ref _version);
        _settings = null;
    }

    private TokenExchangeSettings CreateSettings(TokenExchangeSettings? old)
    {
        // A change that lands while these settings are made must not be overwritten by them: they are used for this call
        // and not kept, and the next call reads the new options.
        var version = Volatile.Read(ref _version);
        var options = _options.Get(Name);
        var tokenClient = _tokenClients.GetClient(options.TokenClientName!);
        var settings = new TokenExchangeSettings(Name, options, tokenClient, tokenClient.Source, _time, _loggers);
        if (Volatile.Read(ref _version) != version)
        {
            return settings;
        }

        return Interlocked.CompareExchange(ref _settings, settings, old) == old ? settings : _settings ?? settings;
    }
}
