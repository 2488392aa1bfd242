namespace OAuthClient.Samples;

/// <summary>The clients, scopes, user and API audience the development server knows.</summary>
public static class DevClients
{
    /// <summary>The confidential client for the client-credentials grant.</summary>
    /// <remarks>Any <c>worker.&lt;suffix&gt;</c> id is accepted too, with the same secret, so that tests and samples can count their own token requests.</remarks>
    public const string WorkerClientId = "worker";

    /// <summary>The secret of <see cref="WorkerClientId"/>, accepted via client_secret_basic and client_secret_post.</summary>
    /// <remarks>It holds <c>:</c>, <c>+</c>, <c>%</c> and <c>/</c>, which break Basic authentication that is not form-urlencoded first (RFC 6749 §2.3.1).</remarks>
    public const string WorkerClientSecret = "dev:s3cret+with%odd/chars";

    /// <summary>The confidential client that authenticates with a signed JWT (private_key_jwt, RFC 7523) instead of a secret.</summary>
    /// <remarks>
    /// Its key is made when the server starts: <see cref="DevAuthorizationServer.KeyClientJwk"/>. Any <c>worker-jwt.&lt;suffix&gt;</c> id
    /// is accepted too. Assertions are checked by OpenIddict: signature, <c>iss</c>/<c>sub</c>, <c>aud</c> and lifetime.
    /// </remarks>
    public const string KeyClientId = "worker-jwt";

    /// <summary>The confidential service client (a front API) that may exchange a token it received for one to the downstream API (RFC 8693).</summary>
    /// <remarks>
    /// Grants: <c>client_credentials</c> and <c>urn:ietf:params:oauth:grant-type:token-exchange</c>. Any <c>front-api.&lt;suffix&gt;</c> id is
    /// accepted too, with the same secret and as the same client, so that tests and samples can count their own requests.
    /// </remarks>
    public const string ServiceClientId = "front-api";

    /// <summary>The secret of <see cref="ServiceClientId"/>, accepted via client_secret_basic and client_secret_post.</summary>
    /// <remarks>Like <see cref="WorkerClientSecret"/>, it holds characters that Basic authentication must form-urlencode.</remarks>
    public const string ServiceClientSecret = "dev:front+api%s3cret/";

    /// <summary>The public client for authorization code + PKCE (S256) with loopback redirect URIs on any port.</summary>
    public const string InteractiveClientId = "desktop";

    /// <summary>The scope that lets a client read the demo API.</summary>
    public const string ApiReadScope = "api.read";

    /// <summary>The scope that lets a client write to the demo API.</summary>
    public const string ApiWriteScope = "api.write";

    /// <summary>The audience (<c>aud</c>) of every access token but exchanged ones, which the demo API requires.</summary>
    public const string ApiAudience = "demo-api";

    /// <summary>The audience (<c>aud</c>) of the tokens that token exchange issues, which the downstream API requires.</summary>
    /// <remarks>The only target a token exchange accepts, named by <c>audience</c> or <see cref="DownstreamResource"/>; the default when neither is sent.</remarks>
    public const string DownstreamAudience = "downstream-api";

    /// <summary>The resource indicator (RFC 8707) of the downstream API: a token exchange with <c>resource</c> set to it gets <see cref="DownstreamAudience"/>.</summary>
    public const string DownstreamResource = "urn:oauthclient:downstream-api";

    /// <summary>The scope of the downstream API, granted by token exchange only.</summary>
    public const string DownstreamReadScope = "downstream.read";

    /// <summary>The subject of the fixed test user that the authorization endpoint signs in without a form.</summary>
    /// <remarks>The user's access tokens are addressed to <see cref="ApiAudience"/> and <see cref="ServiceClientId"/>, so the service client may exchange them.</remarks>
    public const string TestUserSubject = "alice";

    /// <summary>Tells whether <paramref name="clientId"/> is <see cref="WorkerClientId"/> or one of its <c>worker.&lt;suffix&gt;</c> aliases.</summary>
    /// <param name="clientId">The client id the request named.</param>
    /// <returns><see langword="true"/> for a confidential worker client.</returns>
    public static bool IsWorker(string? clientId) => HasPrefix(clientId, WorkerClientId);

    /// <summary>Tells whether <paramref name="clientId"/> is <see cref="KeyClientId"/> or one of its <c>worker-jwt.&lt;suffix&gt;</c> aliases.</summary>
    /// <param name="clientId">The client id the request named.</param>
    /// <returns><see langword="true"/> for a private_key_jwt client.</returns>
    public static bool IsKeyClient(string? clientId) => HasPrefix(clientId, KeyClientId);

    /// <summary>Tells whether <paramref name="clientId"/> is <see cref="ServiceClientId"/> or one of its <c>front-api.&lt;suffix&gt;</c> aliases.</summary>
    /// <param name="clientId">The client id the request named.</param>
    /// <returns><see langword="true"/> for the service client that may exchange tokens.</returns>
    public static bool IsServiceClient(string? clientId) => HasPrefix(clientId, ServiceClientId);

    private static bool HasPrefix(string? clientId, string id) =>
        clientId is not null
        && (string.Equals(clientId, id, StringComparison.Ordinal)
            || (clientId.StartsWith(id + ".", StringComparison.Ordinal) && clientId.Length > id.Length + 1));
}
