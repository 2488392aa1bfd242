using Microsoft.Extensions.Options;

namespace OAuthClient;

/// <summary>
/// Validates every registered token client's options when the host starts, through one <c>ValidateOnStart</c> for all of
/// them: one per client made registering N clients scan the growing service collection N times. The errors are the
/// options' own: one invalid client throws its <see cref="OptionsValidationException"/>, several an <see cref="AggregateException"/> of them.
/// </summary>
internal sealed class TokenClientsStartupValidation
{
    /// <summary>Builds (and so validates) the options of each registered client.</summary>
    internal sealed class Validator(IEnumerable<TokenClientRegistry> registries, IOptionsMonitor<ClientCredentialsOptions> options)
        : IValidateOptions<TokenClientsStartupValidation>
    {
        public ValidateOptionsResult Validate(string? name, TokenClientsStartupValidation marker)
        {
            List<OptionsValidationException>? failures = null;
            foreach (var client in registries.SelectMany(r => r.Names).Distinct(StringComparer.Ordinal))
            {
                try
                {
                    _ = options.Get(client);
                }
                catch (OptionsValidationException ex)
                {
                    (failures ??= []).Add(ex);
                }
            }

            return failures switch
            {
                null => ValidateOptionsResult.Success,
                [var single] => throw single,
                _ => throw new AggregateException(failures),
            };
        }
    }
}
