using System.Collections.Concurrent;

namespace OAuthClient.Internal;

/// <summary>
/// The names of the HttpClients that carry token traffic: the shared one, those a token client names in its options, and
/// any the backchannel provider has used. Known before the application's own first use of such a client where possible.
/// </summary>
internal sealed class BackchannelNames(IEnumerable<IBackchannelNameSource> sources)
{
    private readonly ConcurrentDictionary<string, bool> _names = new(StringComparer.Ordinal) { [BackchannelProvider.DefaultName] = true };

    public void Add(string name) => _names.TryAdd(name, true);

    public bool Contains(string name) => _names.ContainsKey(name) || sources.Any(s => s.Names().Contains(name, StringComparer.Ordinal));
}
