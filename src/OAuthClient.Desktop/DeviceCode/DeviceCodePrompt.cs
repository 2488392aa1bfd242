namespace OAuthClient.Desktop;

/// <summary>What a device sign-in (RFC 8628) shows the user: where to go, and the code to enter there.</summary>
public sealed class DeviceCodePrompt
{
    internal DeviceCodePrompt(string userCode, Uri verificationUri, Uri? verificationUriComplete, DateTimeOffset expiresAt)
    {
        UserCode = userCode;
        VerificationUri = verificationUri;
        VerificationUriComplete = verificationUriComplete;
        ExpiresAt = expiresAt;
    }

    /// <summary>Gets the code the user enters at <see cref="VerificationUri"/>.</summary>
    public string UserCode { get; }

    /// <summary>Gets the page where the user signs in and enters <see cref="UserCode"/>, on any device with a browser.</summary>
    public Uri VerificationUri { get; }

    /// <summary>Gets the page with the code already in it (for a link or a QR code), when the server offers one.</summary>
    public Uri? VerificationUriComplete { get; }

    /// <summary>Gets when the code expires; the sign-in fails with <c>expired_token</c> if the user has not approved by then.</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <inheritdoc/>
    public override string ToString() => $"DeviceCodePrompt {{ VerificationUri = {VerificationUri}, UserCode = {UserCode}, ExpiresAt = {ExpiresAt:O} }}";
}
