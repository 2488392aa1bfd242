namespace OAuthClient.Internal;

/// <summary>
/// Implemented by a decorating <see cref="ITokenSource"/> that keeps tokens elsewhere, so it hears when the API
/// rejected one and does not serve it again.
/// </summary>
internal interface ITokenRejectionObserver
{
    /// <summary>Notes that the API answered 401 to <paramref name="rejected"/>.</summary>
    void OnRejected(AccessToken rejected);
}
