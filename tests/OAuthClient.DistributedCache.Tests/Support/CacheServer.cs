using System.Net;
using System.Net.Sockets;

namespace OAuthClient.DistributedCache.Tests.Support;

/// <summary>
/// A Redis-compatible server on 127.0.0.1 for one test class: Garnet in-process by default, or a redis-server process of
/// its own when <c>OAUTHCLIENT_TEST_REDIS=redis-server</c>. The tests reach both through StackExchange.Redis alike.
/// </summary>
public abstract class CacheServer : IAsyncDisposable
{
    public const string Variable = "OAUTHCLIENT_TEST_REDIS";

    protected CacheServer(int port) => Port = port;

    public int Port { get; }

    /// <summary>Gets the StackExchange.Redis endpoint, <c>127.0.0.1:port</c>.</summary>
    public string EndPoint => $"127.0.0.1:{Port}";

    public static bool UsesRedisServer => string.Equals(Environment.GetEnvironmentVariable(Variable), "redis-server", StringComparison.Ordinal);

    public static async Task<CacheServer> StartAsync()
    {
        // A free port is probed and released, then bound by the server: a race, so a lost one is retried.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return UsesRedisServer ? await RedisServerProcess.StartAsync(FreePort()) : GarnetCacheServer.Start(FreePort());
            }
            catch (Exception) when (attempt < 3)
            {
            }
        }
    }

    /// <summary>Stops the server; clients see their connections drop.</summary>
    public abstract Task StopAsync();

    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return new ValueTask(StopAsync());
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
