namespace OAuthClient;

/// <summary>Tells which user a request is made for: the subject token a token exchange trades for the downstream API's token.</summary>
/// <remarks>
/// Called for every request of a token-exchange HttpClient, in the request's ExecutionContext, so it must be quick and must
/// not block: the result is hashed (SHA-256) to find the user's exchanged token in the cache. Not always on the request's
/// thread: a synchronous <c>Send</c> that waits for an exchange asks again from the thread pool, so keep the user in the
/// request's <c>Options</c> or an <c>AsyncLocal</c>, never in a <c>[ThreadStatic]</c>. In ASP.NET Core,
/// <c>UseIncomingAccessToken()</c> from the OAuthClient.AspNetCore package reads the incoming request's bearer token.
/// </remarks>
public interface ISubjectTokenSource
{
    /// <summary>Gets the subject token for <paramref name="request"/>.</summary>
    /// <param name="request">The request about to be sent to the downstream API.</param>
    /// <returns>The subject token, or <see langword="null"/> when there is none: the request then fails with <see cref="MissingSubjectTokenException"/>.</returns>
    SubjectToken? GetSubjectToken(HttpRequestMessage request);
}
