using Microsoft.Extensions.Options;

namespace OAuthClient;

/// <summary>Checks a client's options as a whole and reports every problem at once, naming client and setting.</summary>
internal sealed class ClientCredentialsOptionsValidator : IValidateOptions<ClientCredentialsOptions>
{
    private static readonly HashSet<string> ReservedParameters = new(StringComparer.Ordinal)
    {
        "grant_type", "client_id", "client_secret", "client_assertion", "client_assertion_type", "scope", "resource",
    };

    public ValidateOptionsResult Validate(string? name, ClientCredentialsOptions options)
    {
        var client = $"OAuthClient client '{name}'";
        var failures = new List<string>();

        if (options.Authority is null && options.TokenEndpoint is null)
        {
            failures.Add($"{client}: set Authority (discovery) or TokenEndpoint.");
        }
        else if (options.Authority is not null && options.TokenEndpoint is not null)
        {
            failures.Add($"{client}: set Authority or TokenEndpoint, not both.");
        }

        CheckEndpoint(nameof(options.Authority), options.Authority, options.RequireHttps, client, failures);
        CheckEndpoint(nameof(options.TokenEndpoint), options.TokenEndpoint, options.RequireHttps, client, failures);

        if (string.IsNullOrWhiteSpace(options.ClientId))
        {
            failures.Add($"{client}: ClientId is required.");
        }

        if (!Enum.IsDefined(options.ClientAuthentication))
        {
            failures.Add($"{client}: ClientAuthentication must be ClientSecretBasic, ClientSecretPost or PrivateKeyJwt.");
        }
        else if (options.ClientAuthentication == ClientAuthenticationMethod.PrivateKeyJwt)
        {
            ValidateClientAssertion(options.ClientAssertion, options.Authority is not null, client, failures);
        }
        else if (string.IsNullOrEmpty(options.ClientSecret))
        {
            failures.Add($"{client}: ClientSecret is required.");
        }

        if (options.Dpop.Enabled)
        {
            ValidateDpop(options.Dpop, client, failures);
        }

        foreach (var key in options.Parameters.Keys)
        {
            if (ReservedParameters.Contains(key))
            {
                failures.Add($"{client}: Parameters must not set '{key}'; use the option of its own.");
            }
        }

        foreach (var origin in options.ApiOrigins)
        {
            if (origin is null || !origin.IsAbsoluteUri || (origin.Scheme != Uri.UriSchemeHttps && origin.Scheme != Uri.UriSchemeHttp))
            {
                failures.Add($"{client}: ApiOrigins must hold absolute http or https URIs ('{origin}' is not).");
            }
        }

        CheckPositive(nameof(options.DefaultTokenLifetime), options.DefaultTokenLifetime, client, failures);
        CheckPositive(nameof(options.TokenRequestTimeout), options.TokenRequestTimeout, client, failures);
        if (options.TokenRequestTimeout > TimeSpan.FromHours(1))
        {
            // Longer would mean nothing to a caller waiting for a token, and overflows timers past 49 days.
            failures.Add($"{client}: TokenRequestTimeout must be at most one hour.");
        }

        if (options.RefreshBeforeExpiry < TimeSpan.Zero)
        {
            failures.Add($"{client}: RefreshBeforeExpiry must not be negative.");
        }

        if (options.TokenRequestRetries is < 0 or > 10)
        {
            failures.Add($"{client}: TokenRequestRetries must be between 0 and 10.");
        }

        if (options.TokenRequestRetryDelay < TimeSpan.Zero)
        {
            failures.Add($"{client}: TokenRequestRetryDelay must not be negative.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Checks the client assertion settings of <see cref="ClientAuthenticationMethod.PrivateKeyJwt"/>; the desktop sign-in shares these rules.</summary>
    internal static void ValidateClientAssertion(ClientAssertionOptions assertion, bool hasAuthority, string client, List<string> failures)
    {
        if (assertion.Factory is not null)
        {
            if (assertion.Jwk is not null || assertion.Key is not null || assertion.Certificate is not null)
            {
                failures.Add($"{client}: set ClientAssertion.Factory or a ClientAssertion key, not both.");
            }
        }
        else if (SigningKey.TryCreate(assertion.Jwk, assertion.Key, assertion.Certificate, assertion.Algorithm, "ClientAssertion", withKeyId: true, out var problem) is null)
        {
            failures.Add($"{client}: {problem}");
        }

        if (assertion.Lifetime <= TimeSpan.Zero || assertion.Lifetime > ClientCredentialsDefaults.MaxClientAssertionLifetime)
        {
            failures.Add($"{client}: ClientAssertion.Lifetime must be greater than zero and at most {ClientCredentialsDefaults.MaxClientAssertionLifetime}.");
        }

        if (!Enum.IsDefined(assertion.Audience))
        {
            failures.Add($"{client}: ClientAssertion.Audience must be TokenEndpoint or Issuer.");
        }
        else if (assertion.Audience == ClientAssertionAudience.Issuer && !hasAuthority)
        {
            failures.Add($"{client}: ClientAssertion.Audience = Issuer needs Authority, whose discovery document names the issuer.");
        }
    }

    /// <summary>Checks enabled DPoP settings; the desktop sign-in shares these rules.</summary>
    internal static void ValidateDpop(DpopOptions dpop, string client, List<string> failures)
    {
        if (dpop.Jwk is null && dpop.Key is null)
        {
            if (dpop.Algorithm is not null && dpop.Algorithm != SigningKey.ES256)
            {
                failures.Add($"{client}: Dpop.Algorithm must be ES256 for the generated key; supply an RSA key in Dpop.Jwk or Dpop.Key for {dpop.Algorithm}.");
            }
        }
        else if (SigningKey.TryCreate(dpop.Jwk, dpop.Key, certificate: null, dpop.Algorithm, "Dpop", withKeyId: false, out var problem) is null)
        {
            failures.Add($"{client}: {problem}");
        }
    }

    private static void CheckEndpoint(string setting, Uri? endpoint, bool requireHttps, string client, List<string> failures)
    {
        if (endpoint is null)
        {
            return;
        }

        if (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttps && endpoint.Scheme != Uri.UriSchemeHttp))
        {
            failures.Add($"{client}: {setting} must be an absolute http or https URI.");
        }
        else if (requireHttps && !Transport.IsSecure(endpoint))
        {
            failures.Add($"{client}: {setting} must use HTTPS (plain HTTP is allowed only to loopback, or with RequireHttps = false).");
        }
    }

    private static void CheckPositive(string setting, TimeSpan value, string client, List<string> failures)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{client}: {setting} must be greater than zero.");
        }
    }
}
