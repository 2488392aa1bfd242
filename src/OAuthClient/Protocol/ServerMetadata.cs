namespace OAuthClient.Internal;

/// <summary>What a client knows about its authorization server: from discovery (RFC 8414), from its options, or both.</summary>
/// <param name="TokenEndpoint">Where every grant goes.</param>
/// <param name="AuthorizationEndpoint">Where the browser goes for the authorization code flow, when known.</param>
/// <param name="RevocationEndpoint">Where tokens are revoked (RFC 7009), when the server has one.</param>
/// <param name="Issuer">The issuer identifier, when known: the <c>iss</c> of RFC 9207 and an assertion audience.</param>
/// <param name="RequiresIssParameter">Whether the server advertises the <c>iss</c> authorization response parameter (RFC 9207).</param>
/// <param name="DeviceAuthorizationEndpoint">Where a device authorization starts (RFC 8628), when the server has one.</param>
/// <param name="PushedAuthorizationEndpoint">Where authorization requests are pushed (RFC 9126), when the server has one.</param>
/// <param name="RequiresPushedAuthorization">Whether the server accepts authorization requests only pushed (<c>require_pushed_authorization_requests</c>).</param>
internal sealed record ServerMetadata(
    Uri TokenEndpoint,
    Uri? AuthorizationEndpoint,
    Uri? RevocationEndpoint,
    string? Issuer,
    bool RequiresIssParameter,
    Uri? DeviceAuthorizationEndpoint = null,
    Uri? PushedAuthorizationEndpoint = null,
    bool RequiresPushedAuthorization = false);
