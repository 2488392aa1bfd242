using System.Net.Http.Headers;

namespace OAuthClient.Internal;

/// <summary>
/// The <c>Authorization</c> value the library sets for one of its tokens: an <see cref="AuthenticationHeaderValue"/> that
/// knows its token. A request that carries one carries our token, not the caller's: an outer retry that re-sends it gets
/// a fresh lookup and the 401 handling, and only such a request gets a DPoP proof signed with the client's key.
/// </summary>
/// <remarks>Made once per token, so attaching it allocates nothing.</remarks>
internal sealed class TokenHeaderValue : AuthenticationHeaderValue
{
    public TokenHeaderValue(AccessToken token)
        : base(token.TokenType, token.Value) => Token = token;

    /// <summary>Gets the token this header carries.</summary>
    public AccessToken Token { get; }
}
