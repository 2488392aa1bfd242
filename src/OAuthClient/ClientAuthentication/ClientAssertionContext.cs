namespace OAuthClient;

/// <summary>Describes the token request a client assertion is made for.</summary>
public sealed class ClientAssertionContext
{
    internal ClientAssertionContext(string clientName, string clientId, Uri tokenEndpoint, string audience)
    {
        ClientName = clientName;
        ClientId = clientId;
        TokenEndpoint = tokenEndpoint;
        Audience = audience;
    }

    /// <summary>Gets the name the client was registered under.</summary>
    public string ClientName { get; }

    /// <summary>Gets the client id: the assertion's <c>iss</c> and <c>sub</c>.</summary>
    public string ClientId { get; }

    /// <summary>Gets the token endpoint the assertion is sent to.</summary>
    public Uri TokenEndpoint { get; }

    /// <summary>Gets the assertion's <c>aud</c>: the token endpoint or the issuer, as configured.</summary>
    public string Audience { get; }
}
