using Microsoft.Extensions.Options;

namespace OAuthClient.Desktop;

/// <summary>Checks <see cref="InteractiveSignInOptions"/> and reports every problem at once, naming the client and property.</summary>
/// <remarks>Keys set in code (<see cref="ClientKeys"/> of the same name) are checked with the options they serve.</remarks>
internal sealed class InteractiveSignInOptionsValidator(IOptionsMonitor<ClientKeys> keys) : IValidateOptions<InteractiveSignInOptions>
{
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
        var clientKeys = keys.Get(name);

        if (string.IsNullOrWhiteSpace(options.ClientId))
        {
            Fail("ClientId is required.");
        }

        ValidateClientAuthentication(options, clientKeys, client, failures);
        OptionsRules.Dpop(options.Dpop, clientKeys, client, failures);

        if (options.Authority is null && (options.AuthorizationEndpoint is null || options.TokenEndpoint is null))
        {
            Fail("set Authority, or both AuthorizationEndpoint and TokenEndpoint.");
        }

        OptionsRules.Endpoint(nameof(options.Authority), options.Authority, options.RequireHttps, client, failures);
        OptionsRules.Endpoint(nameof(options.AuthorizationEndpoint), options.AuthorizationEndpoint, options.RequireHttps, client, failures);
        OptionsRules.Endpoint(nameof(options.TokenEndpoint), options.TokenEndpoint, options.RequireHttps, client, failures);
        OptionsRules.Endpoint(nameof(options.RevocationEndpoint), options.RevocationEndpoint, options.RequireHttps, client, failures);

        if (options.RedirectPort is < 0 or > 65535)
        {
            Fail("RedirectPort must be between 0 and 65535.");
        }

        if (options.RedirectPath is null
            || options.RedirectPath.Contains('?', StringComparison.Ordinal) || options.RedirectPath.Contains('#', StringComparison.Ordinal))
        {
            Fail("RedirectPath must be a path, without query or fragment.");
        }
        else if (!IsPlainPath(options.RedirectPath))
        {
            // The browser comes back to the path as a URI writes it; one the URI rewrites (escaped, dot segments
            // removed) would never match, and the sign-in would wait for SignInTimeout.
            Fail($"RedirectPath '{options.RedirectPath}' changes when written in a URI: use letters, digits, '-', '.', '_', '~' and '/' only, without '.' or '..' segments.");
        }

        OptionsRules.ApiOrigins(options.ApiOrigins, client, failures);
        OptionsRules.Positive(nameof(options.SignInTimeout), options.SignInTimeout, client, failures);
        OptionsRules.Timings(options.TokenRequestTimeout, options.DefaultTokenLifetime, options.RefreshBeforeExpiry, client, failures);

        foreach (var parameter in options.Parameters.Keys)
        {
            if (ReservedParameters.Contains(parameter) || (options.Dpop.Enabled && parameter == "dpop_jkt"))
            {
                Fail($"Parameters must not set '{parameter}': the sign-in sets it, and a second value would clash or override it.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsPlainPath(string path)
    {
        var expected = "/" + path.TrimStart('/');
        return Uri.TryCreate("http://127.0.0.1:1" + expected, UriKind.Absolute, out var uri)
            && string.Equals(uri.AbsolutePath, expected, StringComparison.Ordinal);
    }

    // Public clients (no method, no secret) need nothing; confidential ones follow the client-credentials rules.
    private static void ValidateClientAuthentication(InteractiveSignInOptions options, ClientKeys keys, string client, List<string> failures)
    {
        var assertion = options.ClientAssertion;
        var hasAssertionKey = assertion.Jwk is not null || keys.ClientAssertionKey is not null || keys.ClientAssertionCertificate is not null
            || keys.ClientAssertionFactory is not null;
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

                OptionsRules.ClientAssertion(
                    assertion, keys, options.Authority is not null || options.Issuer is not null, client, failures);
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
