using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace OAuthClient.Samples;

/// <summary>
/// What a database would decide in a full OpenIddict server: which clients exist, their secrets, grants and
/// redirect URIs, and who signs in. Degraded mode requires these checks from the application.
/// </summary>
internal static class DevServerHandlers
{
    /// <summary>The transaction property that carries the thumbprint of a valid DPoP proof's key to the sign-in.</summary>
    public const string DpopJktProperty = "dev:dpop_jkt";

    public static ValueTask ValidateTokenRequest(ValidateTokenRequestContext context)
    {
        var request = context.Request;
        if ((AuthenticateClient(request) ?? CheckGrant(request)) is { } error)
        {
            context.Reject(error.Error, error.Description);
        }

        // The downstream scope comes with the downstream audience, which only token exchange grants.
        else if (request.GetScopes().Any(scope => IsDownstreamScope(scope) != request.IsTokenExchangeGrantType()))
        {
            context.Reject(Errors.InvalidScope, "The downstream.read scope is granted by token exchange only, and token exchange grants no other.");
        }

        return default;
    }

    /// <summary>
    /// Authenticates the client of a token or revocation request: a fixed client, with its secret, with no secret for the
    /// public client, or with an assertion for the key client (whose signature OpenIddict checks against its key).
    /// </summary>
    /// <returns><see cref="Errors.InvalidClient"/> and its description, or <see langword="null"/> when the client is known and authenticated.</returns>
    public static (string Error, string Description)? AuthenticateClient(OpenIddictRequest request)
    {
        var clientId = request.ClientId;
        if (DevClients.IsWorker(clientId))
        {
            return SecretMatches(request.ClientSecret, DevClients.WorkerClientSecret) ? null : (Errors.InvalidClient, "The client credentials are invalid.");
        }

        if (DevClients.IsKeyClient(clientId))
        {
            return string.IsNullOrEmpty(request.ClientSecret) && !string.IsNullOrEmpty(request.ClientAssertion)
                ? null
                : (Errors.InvalidClient, "This client authenticates with private_key_jwt only.");
        }

        if (DevClients.IsServiceClient(clientId))
        {
            return SecretMatches(request.ClientSecret, DevClients.ServiceClientSecret) ? null : (Errors.InvalidClient, "The client credentials are invalid.");
        }

        if (string.Equals(clientId, DevClients.InteractiveClientId, StringComparison.Ordinal))
        {
            return string.IsNullOrEmpty(request.ClientSecret) ? null : (Errors.InvalidClient, "A public client sends no secret.");
        }

        return (Errors.InvalidClient, "The client is not registered.");
    }

    private static (string Error, string Description)? CheckGrant(OpenIddictRequest request)
    {
        var clientId = request.ClientId;
        if (DevClients.IsWorker(clientId) || DevClients.IsKeyClient(clientId))
        {
            return request.IsClientCredentialsGrantType() ? null : (Errors.UnauthorizedClient, "This client may only use the client_credentials grant.");
        }

        if (DevClients.IsServiceClient(clientId))
        {
            return request.IsClientCredentialsGrantType() || request.IsTokenExchangeGrantType()
                ? null
                : (Errors.UnauthorizedClient, "This client may only use the client_credentials and token-exchange grants.");
        }

        // The public client: AuthenticateClient has refused any other.
        return request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType() || request.IsDeviceCodeGrantType()
            ? null
            : (Errors.UnauthorizedClient, "This client may only use the authorization_code, device_code and refresh_token grants.");
    }

    public static ValueTask ValidateAuthorizationRequest(ValidateAuthorizationRequestContext context)
    {
        if (CheckAuthorizationRequest(context.Request) is { } error)
        {
            context.Reject(error.Error, error.Description);
        }

        return default;
    }

    /// <summary>Judges an authorization request's client, redirect URI, PKCE and scopes, pushed (RFC 9126) or not.</summary>
    /// <returns>The error and its description, or <see langword="null"/> when the request may proceed.</returns>
    public static (string Error, string Description)? CheckAuthorizationRequest(OpenIddictRequest request)
    {
        if (!string.Equals(request.ClientId, DevClients.InteractiveClientId, StringComparison.Ordinal))
        {
            return (Errors.InvalidClient, "Only the public client uses the authorization endpoint.");
        }

        if (!IsLoopbackRedirectUri(request.RedirectUri))
        {
            return (Errors.InvalidRequest, "The redirect_uri must be http://127.0.0.1:{port}/... or http://[::1]:{port}/....");
        }

        if (!string.Equals(request.CodeChallengeMethod, CodeChallengeMethods.Sha256, StringComparison.Ordinal))
        {
            return (Errors.InvalidRequest, "PKCE with code_challenge_method=S256 is required.");
        }

        if (request.GetScopes().Any(IsDownstreamScope))
        {
            return (Errors.InvalidScope, "The downstream.read scope is granted by token exchange only.");
        }

        return null;
    }

    public static ValueTask HandleClientCredentials(HandleTokenRequestContext context)
    {
        // The code and refresh token grants need no handler: OpenIddict re-issues the principal they carry.
        if (context.Request.IsClientCredentialsGrantType())
        {
            var clientId = context.Request.ClientId!;
            var principal = CreatePrincipal(clientId, clientId, context.Request.GetScopes(), [DevClients.ApiAudience]);
            context.SignIn(principal);
        }

        return default;
    }

    public static ValueTask SignInTestUser(HandleAuthorizationRequestContext context)
    {
        // A fixed user who consents to everything: no login form, so a desktop test needs no browser automation. The token is
        // addressed to the front API too, which may then exchange it (OpenIddict lets a client exchange only tokens meant for it).
        // A login_hint of lowercase letters picks another user (sub), so tests and samples can act for two people.
        var subject = context.Request.LoginHint is { Length: > 0 and <= 32 } hint && hint.All(char.IsAsciiLetterLower)
            ? hint
            : DevClients.TestUserSubject;
        context.SignIn(CreatePrincipal(
            subject, context.Request.ClientId!, context.Request.GetScopes(), [DevClients.ApiAudience, DevClients.ServiceClientId]));
        return default;
    }

    public static ClaimsPrincipal CreatePrincipal(string subject, string clientId, IEnumerable<string> scopes, string[] audiences)
    {
        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, subject);
        identity.SetClaim(Claims.ClientId, clientId);

        // What a sign-in shows of the user (alice → "Alice", alice@example.com), in the ID token as well.
        identity.SetClaim(Claims.Name, char.ToUpperInvariant(subject[0]) + subject[1..]);
        identity.SetClaim(Claims.PreferredUsername, subject);
        identity.SetClaim(Claims.Email, $"{subject}@example.com");
        identity.SetScopes(scopes);
        identity.SetAudiences(audiences);
        identity.SetDestinations(static claim => claim.Type is Claims.Name or Claims.PreferredUsername or Claims.Email
            ? [Destinations.AccessToken, Destinations.IdentityToken]
            : [Destinations.AccessToken]);
        return new ClaimsPrincipal(identity);
    }

    private static bool SecretMatches(string? secret, string expected) =>
        secret is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(expected));

    private static bool IsDownstreamScope(string scope) => string.Equals(scope, DevClients.DownstreamReadScope, StringComparison.Ordinal);

    private static bool IsLoopbackRedirectUri(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && string.Equals(uri.Scheme, Uri.UriSchemeHttp, StringComparison.Ordinal)
        && IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address)
        && IPAddress.IsLoopback(address)
        && string.IsNullOrEmpty(uri.Fragment);
}
