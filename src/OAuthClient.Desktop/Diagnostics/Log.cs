using Microsoft.Extensions.Logging;

namespace OAuthClient.Desktop;

/// <summary>
/// Every log line of the desktop package, event ids 3xx. No method takes a code, a verifier, a state or
/// nonce value, a token, a callback query string or a response body.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(300, LogLevel.Information, "Sign-in of client '{ClientName}' started; waiting for the browser on {RedirectOrigin}.")]
    public static partial void SignInStarted(ILogger logger, string clientName, string redirectOrigin);

    [LoggerMessage(301, LogLevel.Information, "Sign-in of client '{ClientName}' succeeded.")]
    public static partial void SignInSucceeded(ILogger logger, string clientName);

    [LoggerMessage(302, LogLevel.Warning, "Sign-in of client '{ClientName}' failed: the authorization server answered error '{Error}'.")]
    public static partial void SignInFailed(ILogger logger, string clientName, string error);

    [LoggerMessage(303, LogLevel.Warning, "Sign-in of client '{ClientName}' ended without an answer within {Timeout}.")]
    public static partial void SignInTimedOut(ILogger logger, string clientName, TimeSpan timeout);

    [LoggerMessage(310, LogLevel.Debug, "The loopback listener is ignoring a {Method} request for another path.")]
    public static partial void CallbackIgnored(ILogger logger, string method);

    [LoggerMessage(311, LogLevel.Warning, "The loopback listener rejected a callback whose state does not match the sign-in in progress.")]
    public static partial void CallbackStateMismatch(ILogger logger);

    [LoggerMessage(312, LogLevel.Debug, "The loopback listener dropped a connection: {Reason}.")]
    public static partial void ConnectionDropped(ILogger logger, string reason);

    [LoggerMessage(320, LogLevel.Information, "No browser could be started for client '{ClientName}'; the sign-in URL was printed instead.")]
    public static partial void BrowserNotStarted(ILogger logger, string clientName);

    [LoggerMessage(330, LogLevel.Information, "Refreshed the access token of client '{ClientName}'; the server {Rotation}.")]
    public static partial void TokenRefreshed(ILogger logger, string clientName, string rotation);

    [LoggerMessage(331, LogLevel.Debug, "Client '{ClientName}' took a fresh access token another process stored.")]
    public static partial void StoredTokenReused(ILogger logger, string clientName);

    [LoggerMessage(332, LogLevel.Information, "Client '{ClientName}' must sign in again: {Reason}.")]
    public static partial void SignInRequired(ILogger logger, string clientName, string reason);

    [LoggerMessage(340, LogLevel.Information, "Client '{ClientName}' signed out; refresh token revoked: {Revoked}.")]
    public static partial void SignedOut(ILogger logger, string clientName, bool revoked);

    [LoggerMessage(350, LogLevel.Warning, "The stored tokens in {Path} could not be read (unprotect or parse failed); a new sign-in is needed.")]
    public static partial void StoredTokensUnreadable(ILogger logger, string path, Exception exception);

    [LoggerMessage(351, LogLevel.Debug, "The token store lock {Path} is taken, most likely by another process refreshing; waiting up to {Timeout}.")]
    public static partial void TokenStoreLockBusy(ILogger logger, string path, TimeSpan timeout);

    [LoggerMessage(352, LogLevel.Warning, "The token store lock {Path} stayed taken for {Timeout}; the refresh was not attempted.")]
    public static partial void TokenStoreLockTimedOut(ILogger logger, string path, TimeSpan timeout);

    [LoggerMessage(360, LogLevel.Information, "Client '{ClientName}' asked the user to sign in at {VerificationUri} with a device code; waiting for approval.")]
    public static partial void DeviceSignInStarted(ILogger logger, string clientName, Uri verificationUri);

    [LoggerMessage(361, LogLevel.Information, "Client '{ClientName}' signs in with a device code: {Reason}.")]
    public static partial void SignInFallback(ILogger logger, string clientName, string reason);

    [LoggerMessage(362, LogLevel.Warning, "Client '{ClientName}' could not poll for its device sign-in ({Reason}); polling again in {Delay}, until the code expires at {ExpiresAt}.")]
    public static partial void DevicePollFailed(ILogger logger, string clientName, string reason, TimeSpan delay, DateTimeOffset expiresAt);
}
