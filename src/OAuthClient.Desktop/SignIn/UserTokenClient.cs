using System.Diagnostics.CodeAnalysis;

namespace OAuthClient.Desktop;

/// <summary>What the token handler asks of a sign-in: the user's token from the cache (refreshed by the cache's source), and where it may go.</summary>
internal sealed class UserTokenClient : IApiTokenClient
{
    private readonly TokenCache _cache;
    private readonly RefreshTokenSource _source;
    private readonly SignInSession _session;

    public UserTokenClient(string name, ApiOrigin[] apiOrigins, TokenCache cache, RefreshTokenSource source, SignInSession session)
    {
        Name = name;
        ApiOrigins = apiOrigins;
        _cache = cache;
        _source = source;
        _session = session;
    }

    public string Name { get; }

    public ApiOrigin[] ApiOrigins { get; }

    public bool TryGetCachedToken(HttpRequestMessage request, [NotNullWhen(true)] out AccessToken? token) => _cache.TryGet(_source, out token);

    public ValueTask<AccessToken> GetTokenAsync(HttpRequestMessage request, CancellationToken cancellationToken) => GetTokenAsync(cancellationToken);

    public ValueTask<AccessToken> GetTokenAsync(CancellationToken cancellationToken) =>
        _cache.TryGet(_source, out var token)
            ? new ValueTask<AccessToken>(token)
            : new ValueTask<AccessToken>(_cache.GetOrAcquireAsync(_source, cancellationToken));

    public void Invalidate(HttpRequestMessage request, AccessToken rejected) => _session.Reject(rejected);
}
