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

        if (string.IsNullOrEmpty(options.ClientSecret))
        {
            failures.Add($"{client}: ClientSecret is required.");
        }

        if (!Enum.IsDefined(options.ClientAuthentication))
        {
            failures.Add($"{client}: ClientAuthentication must be ClientSecretBasic or ClientSecretPost.");
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
