using System.Collections.Concurrent;

namespace OAuthClient.Internal;

/// <summary>The names of the HttpClients that carry token traffic: the shared one, and any a token client names.</summary>
internal sealed class BackchannelNames
{
    private readonly ConcurrentDictionary<string, bool> _names = new(StringComparer.Ordinal) { [BackchannelProvider.DefaultName] = true };

    public void Add(string name) => _names.TryAdd(name, true);

    public bool Contains(string name) => _names.ContainsKey(name);
}
