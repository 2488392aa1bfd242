using System.Collections.Concurrent;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.DependencyInjection;

namespace OAuthClient.DistributedCache.Tests.Support;

/// <summary>
/// One Data Protection key ring in memory that several "instances" share, as they would share one in Redis.
/// Its key is made up front, so instances starting together don't each make their own.
/// </summary>
public sealed class SharedKeyRing : IXmlRepository
{
    public const string ApplicationName = "oauthclient-distributed-cache-tests";

    private readonly ConcurrentQueue<XElement> _elements = new();

    public SharedKeyRing()
    {
        var services = new ServiceCollection();
        Use(services);
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IDataProtectionProvider>().CreateProtector("warm-up").Protect("key ring"u8.ToArray());
    }

    public void Use(IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName(ApplicationName);
        services.Configure<KeyManagementOptions>(o => o.XmlRepository = this);
    }

    public IReadOnlyCollection<XElement> GetAllElements() => [.. _elements.Select(e => new XElement(e))];

    public void StoreElement(XElement element, string friendlyName) => _elements.Enqueue(new XElement(element));
}
