namespace OAuthClient.Desktop;

/// <summary>What the client knows about the authorization server, from discovery or from the options.</summary>
internal sealed record AuthorizationServer(
    Uri AuthorizationEndpoint,
    Uri TokenEndpoint,
    Uri? RevocationEndpoint,
    string? Issuer,
    bool RequiresIssParameter);
