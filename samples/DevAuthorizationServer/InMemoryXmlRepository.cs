using System.Collections.Concurrent;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.DependencyInjection;

namespace OAuthClient.Samples;

/// <summary>
/// Keeps ASP.NET Core's data-protection keys in memory. Authentication registers data protection, whose default
/// is a key file under the user's home: a development server leaves nothing behind.
/// </summary>
internal sealed class InMemoryXmlRepository : IXmlRepository
{
    private readonly ConcurrentQueue<XElement> _elements = new();

    public static void Use(IServiceCollection services) =>
        services.Configure<KeyManagementOptions>(o => o.XmlRepository = new InMemoryXmlRepository());

    public IReadOnlyCollection<XElement> GetAllElements() => [.. _elements.Select(e => new XElement(e))];

    public void StoreElement(XElement element, string friendlyName) => _elements.Enqueue(new XElement(element));
}
