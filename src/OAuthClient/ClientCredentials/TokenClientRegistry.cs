using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace OAuthClient;

/// <summary>
/// The client-credentials token clients registered in one service collection, so unknown names are told apart, and
/// the configuration actions given with them. Found from the collection in constant time: registering a client adds
/// no descriptor once the first is in, so registering N clients costs N steps, not N scans of a growing collection.
/// </summary>
internal sealed class TokenClientRegistry
{
    private static readonly ConditionalWeakTable<IServiceCollection, TokenClientRegistry> Registries = new();

    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    /// <summary>Gets the registry of <paramref name="services"/>, telling whether it was just made (the caller then registers what all clients share).</summary>
    public static TokenClientRegistry For(IServiceCollection services, out bool created)
    {
        var isNew = false;
        var registry = Registries.GetValue(services, _ =>
        {
            isNew = true;
            return new TokenClientRegistry();
        });
        created = isNew;
        return registry;
    }

    public void Add(string name) => _names.Add(name);

    public bool Contains(string name) => _names.Contains(name);

    public IEnumerable<string> Names => _names;

    /// <summary>
    /// Adds <paramref name="configure"/> for the client <paramref name="name"/>. Consecutive registrations share one
    /// <see cref="IConfigureOptions{TOptions}"/> that finds a name's actions by lookup; the options factory runs every
    /// configuration on each name it builds, so one descriptor per client made building N clients cost N squared. Any
    /// other configuration added in between starts a new one, so actions still run in the order they were given.
    /// </summary>
    public static void Configure(IServiceCollection services, string name, Action<ClientCredentialsOptions> configure)
    {
        // A keyed descriptor throws when asked for its ImplementationInstance: IsKeyedService is asked first.
        if (services.Count > 0 && services[^1] is { IsKeyedService: false, ImplementationInstance: NamedConfigurations last })
        {
            last.Add(name, configure);
            return;
        }

        var configurations = new NamedConfigurations();
        configurations.Add(name, configure);
        services.AddSingleton<IConfigureOptions<ClientCredentialsOptions>>(configurations);
    }

    /// <summary>The configuration actions of consecutive registrations, by name.</summary>
    private sealed class NamedConfigurations : IConfigureNamedOptions<ClientCredentialsOptions>
    {
        private readonly Dictionary<string, Action<ClientCredentialsOptions>> _actions = new(StringComparer.Ordinal);

        public void Add(string name, Action<ClientCredentialsOptions> configure) =>
            _actions[name] = _actions.TryGetValue(name, out var earlier) ? earlier + configure : configure;

        public void Configure(string? name, ClientCredentialsOptions options)
        {
            if (_actions.TryGetValue(name ?? Options.DefaultName, out var configure))
            {
                configure(options);
            }
        }

        public void Configure(ClientCredentialsOptions options) => Configure(Options.DefaultName, options);
    }
}
