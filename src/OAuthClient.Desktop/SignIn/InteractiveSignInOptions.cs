namespace OAuthClient.Desktop;

/// <summary>Configures the interactive sign-in of a desktop or command-line app (authorization code with PKCE, RFC 8252).</summary>
/// <remarks>Set <see cref="Authority"/> (endpoints come from discovery) or <see cref="AuthorizationEndpoint"/> and <see cref="TokenEndpoint"/>.</remarks>
public sealed class InteractiveSignInOptions
{
    /// <summary>Gets or sets the issuer whose discovery document names the endpoints.</summary>
    public Uri? Authority { get; set; }

    /// <summary>Gets or sets the authorization endpoint, when it is not found through <see cref="Authority"/>.</summary>
    public Uri? AuthorizationEndpoint { get; set; }

    /// <summary>Gets or sets the token endpoint, when it is not found through <see cref="Authority"/>.</summary>
    public Uri? TokenEndpoint { get; set; }

    /// <summary>Gets or sets the token revocation endpoint (RFC 7009), when it is not found through <see cref="Authority"/>.</summary>
    public Uri? RevocationEndpoint { get; set; }

    /// <summary>Gets or sets how the user signs in: the browser, a device code, or the browser when one can be opened (the default).</summary>
    public SignInMode SignInMode { get; set; } = SignInMode.Auto;

    /// <summary>Gets or sets whether the authorization request is pushed to the server first (PAR, RFC 9126), so the browser carries only the client id and a request URI.</summary>
    /// <remarks>Defaults to <see langword="false"/>; a server that advertises <c>require_pushed_authorization_requests</c> gets pushed requests anyway.</remarks>
    public bool UsePushedAuthorization { get; set; }

    /// <summary>Gets or sets the issuer identifier expected in the <c>iss</c> response parameter (RFC 9207) with explicit endpoints.</summary>
    /// <remarks>With discovery, the issuer and whether <c>iss</c> is required come from the metadata. Set here, <c>iss</c> is required and must match.</remarks>
    public string? Issuer { get; set; }

    /// <summary>Gets or sets the client identifier registered at the authorization server.</summary>
    public string? ClientId { get; set; }

    /// <summary>Gets or sets how a confidential client authenticates when it redeems the code, refreshes and revokes.</summary>
    /// <remarks>
    /// Defaults to <see langword="null"/>: a public client (RFC 8252 §8.4) that sends only its id, or
    /// <see cref="ClientAuthenticationMethod.ClientSecretBasic"/> when <see cref="ClientSecret"/> is set.
    /// A secret shipped inside an app is not a secret: prefer a public client, or a key the user's machine protects.
    /// </remarks>
    public ClientAuthenticationMethod? ClientAuthentication { get; set; }

    /// <summary>Gets or sets the client secret, for <see cref="ClientAuthenticationMethod.ClientSecretBasic"/> and <see cref="ClientAuthenticationMethod.ClientSecretPost"/>.</summary>
    /// <remarks>Never logged, and redacted by <see cref="ToString"/>.</remarks>
    public string? ClientSecret { get; set; }

    /// <summary>Gets the key and settings of the signed client assertion, for <see cref="ClientAuthenticationMethod.PrivateKeyJwt"/>; a fresh assertion goes with each request.</summary>
    public ClientAssertionOptions ClientAssertion { get; } = new();

    /// <summary>Gets the DPoP settings (RFC 9449): off unless <see cref="DpopOptions.Enabled"/> is set.</summary>
    /// <remarks>
    /// When on, the authorize request carries <c>dpop_jkt</c>, the code redemption and refreshes carry a proof and must get
    /// <c>token_type</c> DPoP, and API requests carry <c>Authorization: DPoP</c> with a fresh proof. A generated key (no
    /// <see cref="DpopOptions.Jwk"/> or <see cref="ClientKeys.DpopKey"/>) lives in memory only: tokens stored by another process
    /// are not used, and a new process signs in again. Set a key, protected like the tokens, to refresh across restarts.
    /// </remarks>
    public DpopOptions Dpop { get; } = new();

    /// <summary>Gets or sets the space-separated scopes to ask for, such as <c>openid offline_access api</c>.</summary>
    /// <remarks>Ask for <c>offline_access</c> (or what the server requires) to get a refresh token. With <c>openid</c> a nonce is sent and checked.</remarks>
    public string? Scope { get; set; }

    /// <summary>Gets the extra parameters sent with the authorization request, such as <c>prompt</c> or <c>audience</c>.</summary>
    public IDictionary<string, string> Parameters { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Gets or sets the path of the redirect URI <c>http://127.0.0.1:{port}/{path}</c>.</summary>
    /// <remarks>Defaults to <c>callback</c>.</remarks>
    public string RedirectPath { get; set; } = InteractiveSignInDefaults.RedirectPath;

    /// <summary>Gets or sets the loopback port; 0 lets the system choose a free port for each sign-in.</summary>
    /// <remarks>Defaults to 0. Set a fixed port only for servers that cannot match any port (RFC 8252 §7.3).</remarks>
    public int RedirectPort { get; set; }

    /// <summary>Gets or sets how the server sends the authorization response.</summary>
    /// <remarks>Defaults to <see cref="AuthorizationResponseMode.Query"/>.</remarks>
    public AuthorizationResponseMode ResponseMode { get; set; }

    /// <summary>Gets the origins (scheme, host and port) that receive the user's access token.</summary>
    /// <remarks>When empty, the token goes only to the origin of the HttpClient's <c>BaseAddress</c>.</remarks>
    public IList<Uri> ApiOrigins { get; } = new List<Uri>();

    /// <summary>Gets or sets how long the user has to finish signing in.</summary>
    /// <remarks>Defaults to 5 minutes. Users close browser tabs without a word: the wait always ends.</remarks>
    public TimeSpan SignInTimeout { get; set; } = InteractiveSignInDefaults.SignInTimeout;

    /// <summary>Gets or sets how long before it expires an access token is refreshed.</summary>
    /// <remarks>Defaults to 60 seconds, and is never more than a quarter of the token's lifetime.</remarks>
    public TimeSpan RefreshBeforeExpiry { get; set; } = InteractiveSignInDefaults.RefreshBeforeExpiry;

    /// <summary>Gets or sets the lifetime assumed when a token response has no <c>expires_in</c>.</summary>
    /// <remarks>Defaults to 5 minutes.</remarks>
    public TimeSpan DefaultTokenLifetime { get; set; } = InteractiveSignInDefaults.TokenLifetime;

    /// <summary>Gets or sets how long one token request (code redemption, refresh, revocation) may take.</summary>
    /// <remarks>Defaults to 30 seconds; at most one hour. Token requests are never retried: a code and a rotating refresh token are single-use.</remarks>
    public TimeSpan TokenRequestTimeout { get; set; } = InteractiveSignInDefaults.TokenRequestTimeout;

    /// <summary>Gets or sets a value indicating whether the authority and endpoints must use HTTPS (plain HTTP is always allowed to loopback).</summary>
    /// <remarks>Defaults to <see langword="true"/>.</remarks>
    public bool RequireHttps { get; set; } = true;

    /// <summary>Gets or sets the key under which the token store keeps this sign-in's tokens.</summary>
    /// <remarks>Defaults to one built from the authority (or authorization endpoint), client id and scopes.</remarks>
    public string? StoreKey { get; set; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"InteractiveSignInOptions {{ Authority = {Authority}, ClientId = {ClientId}, ClientAuthentication = {ClientAuthentication}, " +
        $"ClientSecret = {(ClientSecret is null ? "(none)" : "[redacted]")}, ClientAssertion = {ClientAssertion}, Dpop = {Dpop}, Scope = {Scope} }}";
}
