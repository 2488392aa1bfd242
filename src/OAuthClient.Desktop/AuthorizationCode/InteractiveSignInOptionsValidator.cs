using Microsoft.Extensions.Options;

namespace OAuthClient.Desktop;

/// <summary>Checks <see cref="InteractiveSignInOptions"/> and reports every problem at once, naming the client and property.</summary>
internal sealed class InteractiveSignInOptionsValidator : IValidateOptions<InteractiveSignInOptions>
{
    private static readonly TimeSpan MaxTokenRequestTimeout = TimeSpan.FromHours(1);

    private static readonly HashSet<string> ReservedParameters = new(StringComparer.Ordinal)
    {
        "client_id", "response_type", "scope", "redirect_uri", "state", "nonce", "response_mode",
        "code_challenge", "code_challenge_method",
    };

    public ValidateOptionsResult Validate(string? name, InteractiveSignInOptions options)
    {
        var client = $"OAuthClient interactive sign-in '{name}'";
        var failures = new List<string>();
        void Fail(string problem) => failures.Add($"{client}: {problem}");

        if (string.IsNullOrWhiteSpace(options.ClientId))
        {
            Fail("ClientId is required.");
        }

        ValidateClientAuthentication(options, client, failures);
        if (options.Dpop.Enabled)
        {
            ClientCredentialsOptionsValidator.ValidateDpop(options.Dpop, client, failures);
        }

        if (options.Authority is null && (options.AuthorizationEndpoint is null || options.TokenEndpoint is null))
        {
            Fail("set Authority, or both AuthorizationEndpoint and TokenEndpoint.");
        }

        foreach (var (property, uri) in new[]
        {
            ("Authority", options.Authority), ("AuthorizationEndpoint", options.AuthorizationEndpoint),
            ("TokenEndpoint", options.TokenEndpoint), ("RevocationEndpoint", options.RevocationEndpoint),
        })
        {
            if (uri is null)
            {
                continue;
            }

            if (!uri.IsAbsoluteUri)
            {
                Fail($"{property} must be an absolute URI.");
            }
            else if (options.RequireHttps && !Transport.IsSecure(uri))
            {
                Fail($"{property} must use HTTPS (plain HTTP only to loopback), or set RequireHttps to false.");
            }
        }

        if (options.RedirectPort is < 0 or > 65535)
        {
            Fail("RedirectPort must be between 0 and 65535.");
        }

        if (options.RedirectPath is null
            || options.RedirectPath.Contains('?', StringComparison.Ordinal) || options.RedirectPath.Contains('#', StringComparison.Ordinal))
        {
            Fail("RedirectPath must be a path, without query or fragment.");
        }

        foreach (var origin in options.ApiOrigins)
        {
            if (origin is null || !origin.IsAbsoluteUri || (origin.Scheme != Uri.UriSchemeHttps && origin.Scheme != Uri.UriSchemeHttp))
            {
                Fail($"ApiOrigins must hold absolute http or https URIs ('{origin}' is not).");
            }
        }

        foreach (var (property, value) in new[]
        {
            ("SignInTimeout", options.SignInTimeout), ("TokenRequestTimeout", options.TokenRequestTimeout),
            ("DefaultTokenLifetime", options.DefaultTokenLifetime),
        })
        {
            if (value <= TimeSpan.Zero)
            {
                Fail($"{property} must be positive.");
            }
        }

        if (options.RefreshBeforeExpiry < TimeSpan.Zero)
        {
            Fail("RefreshBeforeExpiry must not be negative.");
        }

        if (options.TokenRequestTimeout > MaxTokenRequestTimeout)
        {
            Fail("TokenRequestTimeout must be at most one hour.");
        }

        foreach (var parameter in options.Parameters.Keys)
        {
            if (ReservedParameters.Contains(parameter) || (options.Dpop.Enabled && parameter == "dpop_jkt"))
            {
                Fail($"Parameters must not set '{parameter}': the sign-in sets it, and a second value would clash or override it.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    // Public clients (no method, no secret) need nothing; confidential ones follow the client-credentials rules.
    private static void ValidateClientAuthentication(InteractiveSignInOptions options, string client, List<string> failures)
    {
        var assertion = options.ClientAssertion;
        var hasAssertionKey = assertion.Jwk is not null || assertion.Key is not null || assertion.Certificate is not null || assertion.Factory is not null;
        switch (options.ClientAuthentication)
        {
            case null when hasAssertionKey:
            case ClientAuthenticationMethod.ClientSecretBasic or ClientAuthenticationMethod.ClientSecretPost when hasAssertionKey:
                failures.Add($"{client}: ClientAssertion is set, but ClientAuthentication is not PrivateKeyJwt.");
                break;
            case null:
                break;
            case ClientAuthenticationMethod.PrivateKeyJwt:
                if (options.ClientSecret is not null)
                {
                    failures.Add($"{client}: set ClientSecret or ClientAuthentication = PrivateKeyJwt, not both.");
                }

                ClientCredentialsOptionsValidator.ValidateClientAssertion(
                    assertion, options.Authority is not null || options.Issuer is not null, client, failures);
                break;
            case ClientAuthenticationMethod.ClientSecretBasic or ClientAuthenticationMethod.ClientSecretPost:
                if (string.IsNullOrEmpty(options.ClientSecret))
                {
                    failures.Add($"{client}: ClientSecret is required for {options.ClientAuthentication}.");
                }

                break;
            default:
                failures.Add($"{client}: ClientAuthentication must be ClientSecretBasic, ClientSecretPost or PrivateKeyJwt.");
                break;
        }
    }
}
