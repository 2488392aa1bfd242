using Microsoft.Extensions.Options;

namespace OAuthClient;

/// <summary>The backchannels that registered token clients name in <see cref="ClientCredentialsOptions.BackchannelHttpClientName"/>.</summary>
internal sealed class ClientCredentialsBackchannelNames(
    IEnumerable<TokenClientRegistry> registries, IOptionsMonitor<ClientCredentialsOptions> options) : IBackchannelNameSource
{
    public IEnumerable<string> Names()
    {
        foreach (var client in registries.SelectMany(r => r.Names))
        {
            string? name;
            try
            {
                name = options.Get(client).BackchannelHttpClientName;
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
