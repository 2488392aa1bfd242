namespace OAuthClient;

/// <summary>Names how the client proves its identity to the token endpoint (RFC 6749 §2.3.1, RFC 7523).</summary>
public enum ClientAuthenticationMethod
{
    /// <summary>Sends the form-urlencoded client id and secret in an HTTP Basic <c>Authorization</c> header.</summary>
    ClientSecretBasic = 0,

    /// <summary>Sends <c>client_id</c> and <c>client_secret</c> in the form body.</summary>
    ClientSecretPost = 1,

    /// <summary>Sends a JWT signed with the client's private key as <c>client_assertion</c> (RFC 7523, OpenID Connect Core §9); see <see cref="ClientCredentialsOptions.ClientAssertion"/>.</summary>
    PrivateKeyJwt = 2,
}
