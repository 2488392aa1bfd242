using Garnet;

namespace OAuthClient.DistributedCache.Tests.Support;

/// <summary>Microsoft Garnet hosted in the test process: a RESP server that needs nothing installed.</summary>
public sealed class GarnetCacheServer : CacheServer
{
    private GarnetServer? _server;

    private GarnetCacheServer(int port, GarnetServer server)
        : base(port) => _server = server;

    public static GarnetCacheServer Start(int port)
    {
        // Small memory settings: a test stores a handful of keys.
        var server = new GarnetServer(["--bind", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--memory", "64m", "--index", "1m"]);
        try
        {
            server.Start();
        }
        catch
        {
            server.Dispose();
            throw;
        }

        return new GarnetCacheServer(port, server);
    }

    public override Task StopAsync()
    {
        Interlocked.Exchange(ref _server, null)?.Dispose();
        return Task.CompletedTask;
    }
}
