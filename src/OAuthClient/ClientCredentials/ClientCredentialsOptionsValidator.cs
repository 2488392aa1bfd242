using Microsoft.Extensions.Options;

namespace OAuthClient;

/// <summary>Checks a client's options as a whole and reports every problem at once, naming client and setting.</summary>
/// <remarks>
/// Keys set in code (<see cref="ClientKeys"/> of the same name) are checked with the options they serve, made afresh like
/// them: each version of the options gets the keys its configure steps set then.
/// </remarks>
internal sealed class ClientCredentialsOptionsValidator(IOptionsFactory<ClientKeys> keys) : IValidateOptions<ClientCredentialsOptions>
{
    private static readonly HashSet<string> ReservedParameters = new(StringComparer.Ordinal)
    {
        "grant_type", "client_id", "client_secret", "client_assertion", "client_assertion_type", "scope", "resource",
    };

    public ValidateOptionsResult Validate(string? name, ClientCredentialsOptions options)
    {
        var client = $"OAuthClient client '{name}'";
        var failures = new List<string>();
        var clientKeys = keys.Create(name ?? Options.DefaultName);

        if (options.Authority is null && options.TokenEndpoint is null)
        {
            failures.Add($"{client}: set Authority (discovery) or TokenEndpoint.");
        }
        else if (options.Authority is not null && options.TokenEndpoint is not null)
        {
            failures.Add($"{client}: set Authority or TokenEndpoint, not both.");
        }

        OptionsRules.Endpoint(nameof(options.Authority), options.Authority, options.RequireHttps, client, failures);
        OptionsRules.Endpoint(nameof(options.TokenEndpoint), options.TokenEndpoint, options.RequireHttps, client, failures);

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
            OptionsRules.ClientAssertion(options.ClientAssertionOrDefault, clientKeys, options.Authority is not null, client, failures);
        }
        else if (string.IsNullOrEmpty(options.ClientSecret))
        {
            failures.Add($"{client}: ClientSecret is required.");
        }

        OptionsRules.Dpop(options.DpopOrDefault, clientKeys, client, failures);

        foreach (var (key, _) in options.ParametersOrEmpty)
        {
            if (ReservedParameters.Contains(key))
            {
                failures.Add($"{client}: Parameters must not set '{key}'; use the option of its own.");
            }
        }

        OptionsRules.ApiOrigins(options.ApiOriginsOrEmpty, client, failures);
        OptionsRules.Timings(options.TokenRequestTimeout, options.DefaultTokenLifetime, options.RefreshBeforeExpiry, client, failures);

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
}
