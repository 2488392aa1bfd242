using System.Collections;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace OAuthClient.Tests.Support;

/// <summary>
/// The configuration keys an options type can be bound from: one per settable property, nested option objects walked,
/// a dictionary or list as its property name. A binding test checks that it sets every one of them, so a property added
/// to an options type without a binding test fails the test, and one the binding generator cannot bind is noticed.
/// </summary>
public static class ConfigurationShape
{
    public static IReadOnlyList<string> KeysOf(Type options, string prefix = "")
    {
        var keys = new List<string>();
        foreach (var property in options.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var key = prefix + property.Name;
            var type = property.PropertyType;
            if (type != typeof(string) && (typeof(IEnumerable).IsAssignableFrom(type) || property.SetMethod?.IsPublic != true))
            {
                keys.AddRange(typeof(IEnumerable).IsAssignableFrom(type) ? [key] : KeysOf(type, key + ":"));
            }
            else
            {
                keys.Add(key);
            }
        }

        return keys;
    }

    /// <summary>Gets the properties of <paramref name="options"/> that no key in <paramref name="configuration"/> sets.</summary>
    public static IEnumerable<string> Unset(Type options, IEnumerable<string> configuration) =>
        KeysOf(options).Where(property => !configuration.Any(key =>
            key.Equals(property, StringComparison.OrdinalIgnoreCase) || key.StartsWith(property + ":", StringComparison.OrdinalIgnoreCase)));

    /// <summary>Runs the configure steps registered for the options <paramref name="name"/>, without validation: for bindings
    /// of settings that are there to be bound, not to make a client that works.</summary>
    public static TOptions Configured<TOptions>(IServiceProvider services, string name)
        where TOptions : class, new()
    {
        var options = new TOptions();
        foreach (var setup in services.GetServices<IConfigureOptions<TOptions>>())
        {
            if (setup is IConfigureNamedOptions<TOptions> named)
            {
                named.Configure(name, options);
            }
            else
            {
                setup.Configure(options);
            }
        }

        return options;
    }
}
