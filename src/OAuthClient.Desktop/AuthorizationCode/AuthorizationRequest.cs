using Duende.IdentityModel.Client;

namespace OAuthClient.Desktop;

/// <summary>The per-attempt secrets of one authorization request and the URL that carries their public halves.</summary>
internal sealed class AuthorizationRequest
{
    private AuthorizationRequest(string verifier, string state, string? nonce)
    {
        Verifier = verifier;
        State = state;
        Nonce = nonce;
    }

    public string Verifier { get; }

    public string State { get; }

    public string? Nonce { get; }

    public static AuthorizationRequest Create(InteractiveSignInOptions options)
    {
        var scopes = (options.Scope ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var nonce = scopes.Contains("openid", StringComparer.Ordinal) ? Pkce.RandomValue(32) : null;
        return new AuthorizationRequest(Pkce.CreateVerifier(), Pkce.RandomValue(32), nonce);
    }

    // With DPoP, the key thumbprint goes along as dpop_jkt, binding the code to the key (RFC 9449 §10).
    public Uri BuildUrl(Uri authorizationEndpoint, Uri redirectUri, InteractiveSignInOptions options, string? dpopThumbprint) =>
        new(new RequestUrl(authorizationEndpoint.AbsoluteUri).Create(new Parameters(Parameters(redirectUri, options, dpopThumbprint))));

    /// <summary>Gets the authorization request's parameters: in the URL, or pushed to the server (RFC 9126).</summary>
    public List<KeyValuePair<string, string>> Parameters(Uri redirectUri, InteractiveSignInOptions options, string? dpopThumbprint)
    {
        var parameters = new List<KeyValuePair<string, string>>
        {
            new("client_id", options.ClientId!),
            new("response_type", "code"),
        };
        Add(parameters, "scope", options.Scope);
        parameters.Add(new("redirect_uri", redirectUri.AbsoluteUri));
        parameters.Add(new("state", State));
        Add(parameters, "nonce", Nonce);
        Add(parameters, "response_mode", options.ResponseMode == AuthorizationResponseMode.FormPost ? "form_post" : null);
        parameters.Add(new("code_challenge", Pkce.Challenge(Verifier)));
        parameters.Add(new("code_challenge_method", Pkce.Method));
        Add(parameters, "dpop_jkt", dpopThumbprint);
        parameters.AddRange(options.Parameters);
        return parameters;
    }

    /// <summary>Builds the URL of a pushed request: only the client id and the <c>request_uri</c> the server gave (RFC 9126 §4).</summary>
    public static Uri BuildPushedUrl(Uri authorizationEndpoint, string clientId, string requestUri) =>
        new(new RequestUrl(authorizationEndpoint.AbsoluteUri).Create(new Parameters([new("client_id", clientId), new("request_uri", requestUri)])));

    private static void Add(List<KeyValuePair<string, string>> parameters, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            parameters.Add(new(name, value));
        }
    }

    // Holds the verifier and state: never printed.
    public override string ToString() => "AuthorizationRequest { [redacted] }";
}
