namespace OAuthClient.Internal;

/// <summary>A successful token response: the access token, and the refresh and ID tokens when the server sent them.</summary>
internal sealed record TokenGrant(AccessToken AccessToken, string? RefreshToken, string? IdToken)
{
    // Records print their members; this one holds secrets.
    public override string ToString() => $"TokenGrant {{ AccessToken = {AccessToken}, RefreshToken = [redacted], IdToken = [redacted] }}";
}
