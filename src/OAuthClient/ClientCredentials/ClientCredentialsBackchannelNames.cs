using Microsoft.Extensions.Options;

namespace OAuthClient;

/// <summary>The backchannels that registered token clients name in <see cref="ClientCredentialsOptions.BackchannelHttpClientName"/>.</summary>
internal sealed class ClientCredentialsBackchannelNames(
    IEnumerable<TokenClientRegistration> registrations, IOptionsMonitor<ClientCredentialsOptions> options) : IBackchannelNameSource
{
    public IEnumerable<string> Names()
    {
        foreach (var registration in registrations)
        {
            string? name;
            try
            {
                name = options.Get(registration.Name).BackchannelHttpClientName;
            }
            catch (OptionsValidationException)
            {
                // Invalid options fail where the token client is used, with their own message.
                continue;
            }

            if (!string.IsNullOrEmpty(name))
            {
                yield return name;
            }
        }
    }
}
