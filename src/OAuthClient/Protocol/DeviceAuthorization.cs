namespace OAuthClient.Internal;

/// <summary>A device authorization (RFC 8628 §3.2): what the user is shown, and the device code the client polls with.</summary>
/// <remarks>Holds the device code: a class that prints none of it.</remarks>
internal sealed class DeviceAuthorization
{
    public required string DeviceCode { get; init; }

    public required string UserCode { get; init; }

    public required Uri VerificationUri { get; init; }

    public Uri? VerificationUriComplete { get; init; }

    public required TimeSpan ExpiresIn { get; init; }

    public required TimeSpan Interval { get; init; }

    /// <inheritdoc/>
    public override string ToString() => $"DeviceAuthorization {{ VerificationUri = {VerificationUri}, DeviceCode = [redacted] }}";
}
