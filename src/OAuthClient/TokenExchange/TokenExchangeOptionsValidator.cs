using Microsoft.Extensions.Options;

namespace OAuthClient.Internal;

/// <summary>Checks a token exchange's options as a whole and reports every problem at once, naming the HttpClient and setting.</summary>
internal sealed class TokenExchangeOptionsValidator : IValidateOptions<TokenExchangeOptions>
{
    private static readonly HashSet<string> ReservedParameters = new(StringComparer.Ordinal)
    {
        "grant_type", "client_id", "client_secret", "client_assertion", "client_assertion_type", "subject_token", "subject_token_type",
        "actor_token", "actor_token_type", "requested_token_type", "audience", "resource", "scope",
    };

    public ValidateOptionsResult Validate(string? name, TokenExchangeOptions options)
    {
        var client = $"OAuthClient token exchange '{name}'";
        var failures = new List<string>();

        if (string.IsNullOrWhiteSpace(options.TokenClientName))
        {
            failures.Add($"{client}: TokenClientName is required: the client-credentials token client that sends the exchange.");
        }

        // An exchange with no target would ask for a token as broad as the server allows: say what the token is for.
        if (string.IsNullOrWhiteSpace(options.Audience) && string.IsNullOrWhiteSpace(options.Resource) && string.IsNullOrWhiteSpace(options.Scope))
        {
            failures.Add($"{client}: set Audience, Resource or Scope: what the exchanged token is for.");
        }

        if (!string.IsNullOrEmpty(options.Resource) && !IsAbsoluteUri(options.Resource))
        {
            failures.Add($"{client}: Resource must be an absolute URI (RFC 8693 §2.1).");
        }

        if (!IsAbsoluteUri(options.RequestedTokenType))
        {
            failures.Add($"{client}: RequestedTokenType must be a token type identifier URI, such as {TokenTypeIdentifiers.AccessToken}.");
        }

        if (options.MaxCachedTokens < 1)
        {
            failures.Add($"{client}: MaxCachedTokens must be at least 1.");
        }

        foreach (var key in options.Parameters.Keys)
        {
            if (ReservedParameters.Contains(key))
            {
                failures.Add($"{client}: Parameters must not set '{key}'; use the option of its own.");
            }
        }

        OptionsRules.ApiOrigins(options.ApiOrigins, client, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsAbsoluteUri(string? value) => Uri.TryCreate(value, UriKind.Absolute, out _);
}
