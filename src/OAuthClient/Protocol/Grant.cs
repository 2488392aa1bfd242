using Duende.IdentityModel;

namespace OAuthClient.Internal;

/// <summary>
/// One grant as data: its <c>grant_type</c> and parameters, which <see cref="TokenEndpoint"/> sends with the client's
/// authentication and DPoP proof. A new flow adds a factory here, not another road to the token endpoint.
/// </summary>
/// <remarks>Parameters may hold a code, a verifier or a refresh token: a grant is never logged, and prints nothing of them.</remarks>
internal sealed class Grant
{
    private Grant(string grantType, string description, string? requestedScope, KeyValuePair<string, string>[] parameters, Func<string, string?>? explain = null)
    {
        GrantType = grantType;
        Description = description;
        RequestedScope = requestedScope;
        Parameters = parameters;
        _explain = explain;
    }

    private readonly Func<string, string?>? _explain;

    // The parameters that hold a secret of the user or the client: a server that quotes them back in error_description must
    // not put them into exception messages, which applications log.
    private static readonly HashSet<string> SecretParameters = new(StringComparer.Ordinal)
    {
        OidcConstants.TokenRequest.Code, OidcConstants.TokenRequest.CodeVerifier, OidcConstants.TokenRequest.RefreshToken, OidcConstants.TokenRequest.DeviceCode,
        OidcConstants.TokenRequest.SubjectToken, OidcConstants.TokenRequest.ActorToken,
    };

    /// <summary>Gets the OAuth errors that are an expected answer of this grant, not a failure to log (a device still waiting).</summary>
    public IReadOnlySet<string> ExpectedErrors { get; private init; } = NoErrors;

    /// <summary>Gets whether the caller tries again after a transient failure (a device sign-in polls on), so it is not the end of anything.</summary>
    public bool OutlivesTransientFailures { get; private init; }

    private static readonly HashSet<string> NoErrors = [];

    private static readonly HashSet<string> DevicePollErrors = new(StringComparer.Ordinal) { "authorization_pending", "slow_down" };

    /// <summary>Gets the <c>issued_token_type</c> an answer must have when it says one (RFC 8693 §2.2.1), or <see langword="null"/>.</summary>
    public string? IssuedTokenType { get; private init; }

    /// <summary>Gets the <c>grant_type</c>.</summary>
    public string GrantType { get; }

    /// <summary>Gets what the grant does, in words for errors and logs ("a token", "a refreshed token").</summary>
    public string Description { get; }

    /// <summary>Gets the scope asked for, which stands in for the granted one when the response leaves it out (RFC 6749 §5.1).</summary>
    public string? RequestedScope { get; }

    /// <summary>Gets the form parameters besides <c>grant_type</c> and the client's authentication.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Parameters { get; }

    /// <summary>The client credentials grant (RFC 6749 §4.4), with a resource indicator (RFC 8707) and extra parameters.</summary>
    public static Grant ClientCredentials(string? scope, string? resource, IEnumerable<KeyValuePair<string, string>> extra)
    {
        var parameters = new List<KeyValuePair<string, string>>(2);
        Add(parameters, OidcConstants.TokenRequest.Scope, scope);
        Add(parameters, OidcConstants.TokenRequest.Resource, resource);
        parameters.AddRange(extra);
        return new Grant(OidcConstants.GrantTypes.ClientCredentials, "a token", scope, [.. parameters]);
    }

    /// <summary>The authorization code grant with PKCE (RFC 6749 §4.1.3, RFC 7636 §4.5).</summary>
    public static Grant AuthorizationCode(string code, string redirectUri, string codeVerifier, string? scope) => new(
        OidcConstants.GrantTypes.AuthorizationCode,
        "tokens for the sign-in code",
        scope,
        [
            new(OidcConstants.TokenRequest.Code, code),
            new(OidcConstants.TokenRequest.RedirectUri, redirectUri),
            new(OidcConstants.TokenRequest.CodeVerifier, codeVerifier),
        ]);

    /// <summary>The refresh token grant (RFC 6749 §6); the scope of the original grant stands unless narrowed.</summary>
    public static Grant RefreshToken(string refreshToken, string? requestedScope) => new(
        OidcConstants.GrantTypes.RefreshToken,
        "a refreshed token",
        requestedScope,
        [new(OidcConstants.TokenRequest.RefreshToken, refreshToken)]);

    /// <summary>The device authorization grant's token request (RFC 8628 §3.4), polled until the user has approved.</summary>
    public static Grant DeviceCode(string deviceCode, string? requestedScope) => new(
        OidcConstants.GrantTypes.DeviceCode,
        "tokens for the device code",
        requestedScope,
        [new(OidcConstants.TokenRequest.DeviceCode, deviceCode)],
        ExplainDeviceCode)
    {
        ExpectedErrors = DevicePollErrors,
        OutlivesTransientFailures = true,
    };

    // RFC 8628 §3.5.
    private static string? ExplainDeviceCode(string error) => error switch
    {
        "access_denied" => "the user declined the sign-in",
        "expired_token" => "the device code expired before the user approved; start a new sign-in",
        _ => null,
    };

    /// <summary>
    /// The token exchange grant (RFC 8693 §2.1): a subject token traded for one for the target named by audience, resource
    /// and scope, with the actor's token when the caller acts for the subject (delegation, §1.1).
    /// </summary>
    public static Grant TokenExchange(
        string subjectToken,
        string subjectTokenType,
        string? actorToken,
        string requestedTokenType,
        string? audience,
        string? resource,
        string? scope,
        IDictionary<string, string> extra)
    {
        var parameters = new List<KeyValuePair<string, string>>(8 + extra.Count)
        {
            new(OidcConstants.TokenRequest.SubjectToken, subjectToken),
            new(OidcConstants.TokenRequest.SubjectTokenType, subjectTokenType),
            new(OidcConstants.TokenRequest.RequestedTokenType, requestedTokenType),
        };
        if (!string.IsNullOrEmpty(actorToken))
        {
            parameters.Add(new(OidcConstants.TokenRequest.ActorToken, actorToken));
            parameters.Add(new(OidcConstants.TokenRequest.ActorTokenType, OidcConstants.TokenTypeIdentifiers.AccessToken));
        }

        Add(parameters, OidcConstants.TokenRequest.Audience, audience);
        Add(parameters, OidcConstants.TokenRequest.Resource, resource);
        Add(parameters, OidcConstants.TokenRequest.Scope, scope);
        parameters.AddRange(extra);
        return new Grant(OidcConstants.GrantTypes.TokenExchange, "an exchanged token", scope, [.. parameters], ExplainTokenExchange)
        {
            IssuedTokenType = requestedTokenType,
        };
    }

    /// <summary>Replaces in <paramref name="text"/> (the server's words) every secret this grant sent, such as a subject token it quotes back.</summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(text))]
    public string? Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        foreach (var (name, value) in Parameters)
        {
            if (SecretParameters.Contains(name) && value.Length >= 8 && text.Contains(value, StringComparison.Ordinal))
            {
                text = text.Replace(value, "[redacted]", StringComparison.Ordinal);
            }
        }

        return text;
    }

    /// <summary>Says what an OAuth <paramref name="error"/> means for this grant, or <see langword="null"/> when there is nothing to add.</summary>
    public string? Explain(string error) => _explain?.Invoke(error);

    // RFC 8693 §2.2.2 and RFC 6749 §5.2, as they apply to an exchange.
    private static string? ExplainTokenExchange(string error) => error switch
    {
        OidcConstants.TokenErrors.InvalidGrant => "the server refused the subject token (or the actor token): expired, revoked, or not one it accepts",
        "invalid_target" => "the server does not know the audience or resource asked for, or will not issue tokens for it to this client",
        OidcConstants.TokenErrors.UnauthorizedClient => "this client may not use token exchange at the server",
        _ => null,
    };

    /// <inheritdoc/>
    public override string ToString() => $"Grant {{ GrantType = {GrantType}, Parameters = [redacted] }}";

    private static void Add(List<KeyValuePair<string, string>> parameters, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            parameters.Add(new(name, value));
        }
    }
}
