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
    public Uri BuildUrl(Uri authorizationEndpoint, Uri redirectUri, InteractiveSignInOptions options, string? dpopThumbprint)
    {
        var extra = new Parameters();
        if (dpopThumbprint is not null)
        {
            extra.Add("dpop_jkt", dpopThumbprint);
        }

        foreach (var (name, value) in options.Parameters)
        {
            extra.Add(name, value);
        }

        var url = new RequestUrl(authorizationEndpoint.AbsoluteUri).CreateAuthorizeUrl(
            clientId: options.ClientId!,
            responseType: "code",
            scope: options.Scope,
            redirectUri: redirectUri.AbsoluteUri,
            state: State,
            nonce: Nonce,
            responseMode: options.ResponseMode == AuthorizationResponseMode.FormPost ? "form_post" : null,
            codeChallenge: Pkce.Challenge(Verifier),
            codeChallengeMethod: Pkce.Method,
            extra: extra);
        return new Uri(url);
    }

    // Holds the verifier and state: never printed.
    public override string ToString() => "AuthorizationRequest { [redacted] }";
}
