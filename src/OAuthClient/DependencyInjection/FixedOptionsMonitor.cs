using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace OAuthClient.Internal;

/// <summary>Options that never change, for the flows built without dependency injection: every name gets <paramref name="value"/>,
/// whether read from the monitor or made by the factory.</summary>
internal sealed class FixedOptionsMonitor<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions>(TOptions value)
    : IOptionsMonitor<TOptions>, IOptionsFactory<TOptions>
    where TOptions : class
{
    public TOptions CurrentValue => value;

    public TOptions Get(string? name) => value;

    public TOptions Create(string name) => value;

    public IDisposable? OnChange(Action<TOptions, string?> listener) => null;
}
