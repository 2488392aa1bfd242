namespace OAuthClient.Desktop;

/// <summary>The exception thrown when the authorization server refused the sign-in or its response cannot be trusted.</summary>
/// <remarks>The message holds the OAuth error and description, never a code, state or token.</remarks>
public sealed class AuthorizationFailedException : Exception
{
    internal AuthorizationFailedException(string message, string error, string? errorDescription = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Error = error;
        ErrorDescription = errorDescription;
    }

    /// <summary>Gets the OAuth <c>error</c>, such as <c>access_denied</c>, or the check that failed (<c>invalid_iss</c>, <c>invalid_nonce</c>, <c>invalid_response</c>).</summary>
    public string Error { get; }

    /// <summary>Gets the <c>error_description</c> the server sent.</summary>
    public string? ErrorDescription { get; }
}
