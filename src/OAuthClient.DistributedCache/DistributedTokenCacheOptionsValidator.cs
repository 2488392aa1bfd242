using Microsoft.Extensions.Options;

namespace OAuthClient;

/// <summary>Checks a client's shared-cache options and reports every problem at once, naming client and setting.</summary>
internal sealed class DistributedTokenCacheOptionsValidator : IValidateOptions<DistributedTokenCacheOptions>
{
    public ValidateOptionsResult Validate(string? name, DistributedTokenCacheOptions options)
    {
        var client = $"OAuthClient client '{name}'";
        var failures = new List<string>();

        if (string.IsNullOrWhiteSpace(options.KeyPrefix))
        {
            failures.Add($"{client}: DistributedTokenCache KeyPrefix is required.");
        }

        CheckPositive(nameof(options.OperationTimeout), options.OperationTimeout, client, failures);
        CheckPositive(nameof(options.LockExpiry), options.LockExpiry, client, failures);
        if (options.LockWaitTimeout < TimeSpan.Zero)
        {
            failures.Add($"{client}: DistributedTokenCache LockWaitTimeout must not be negative.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckPositive(string property, TimeSpan value, string client, List<string> failures)
    {
        if (value <= TimeSpan.Zero || value > TimeSpan.FromMinutes(10))
        {
            failures.Add($"{client}: DistributedTokenCache {property} must be more than zero and at most 10 minutes.");
        }
    }
}
