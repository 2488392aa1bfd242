using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace OAuthClient.Internal;

/// <summary>Options that never change, for the flows built without dependency injection: every name gets <paramref name="value"/>.</summary>
internal sealed class FixedOptionsMonitor<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions>(TOptions value) : IOptionsMonitor<TOptions>
{
    public TOptions CurrentValue => value;

    public TOptions Get(string? name) => value;

    public IDisposable? OnChange(Action<TOptions, string?> listener) => null;
}
