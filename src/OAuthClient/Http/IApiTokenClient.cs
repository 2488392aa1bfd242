using System.Diagnostics.CodeAnalysis;

namespace OAuthClient.Internal;

/// <summary>
/// What <see cref="AccessTokenHandler"/> needs from a flow: its tokens and where they may go. The
/// client-credentials client, the token exchange client and the desktop sign-in each implement it, so all share one
/// handler. Each call is given the request: a token exchange serves the user the request is made for.
/// </summary>
internal interface IApiTokenClient
{
    /// <summary>Gets the client's name, for log lines.</summary>
    string Name { get; }

    /// <summary>Gets the origins configured to receive the token; empty means the HttpClient's base address.</summary>
    ApiOrigin[] ApiOrigins { get; }

    /// <summary>Reads a fresh cached token without waiting: the hot path.</summary>
    bool TryGetCachedToken(HttpRequestMessage request, [NotNullWhen(true)] out AccessToken? token);

    /// <summary>Gets a fresh token, from the cache or from the one request in flight.</summary>
    ValueTask<AccessToken> GetTokenAsync(HttpRequestMessage request, CancellationToken cancellationToken);

    /// <summary>Drops <paramref name="rejected"/>, unless a newer token already replaced it.</summary>
    void Invalidate(HttpRequestMessage request, AccessToken rejected);
}
