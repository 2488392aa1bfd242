namespace OAuthClient.Desktop;

/// <summary>
/// The exception thrown when the user's tokens could not be refreshed because another process (another instance of
/// the app) kept the token store locked for the whole wait, normally while it was refreshing the same tokens.
/// </summary>
/// <remarks>
/// Transient: the user does not need to sign in again. Retry later; the next call usually finds the tokens the other
/// process stored. The wait is <see cref="FileTokenStoreOptions.LockTimeout"/>. The message never holds a token.
/// </remarks>
public sealed class TokenStoreLockTimeoutException : TimeoutException
{
    internal TokenStoreLockTimeoutException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
