namespace OAuthClient.Desktop;

/// <summary>The exception thrown when no access token can be had without the user: no refresh token is stored, or the server rejected it.</summary>
/// <remarks>Catch it and call <see cref="InteractiveSignIn.SignInAsync()"/>. The message never holds a token.</remarks>
public sealed class SignInRequiredException : Exception
{
    internal SignInRequiredException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
