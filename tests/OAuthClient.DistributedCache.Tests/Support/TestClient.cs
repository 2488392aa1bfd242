using OAuthClient.Samples;

namespace OAuthClient.DistributedCache.Tests.Support;

/// <summary>The identity of one test's instances: a client id the server counts apart and a key prefix of its own.</summary>
public sealed record TestClient(string ClientId, string KeyPrefix)
{
    public static TestClient Create()
    {
        var id = Guid.NewGuid().ToString("N");
        return new TestClient($"{DevClients.WorkerClientId}.{id}", $"OAuthClient:token:v1:{id}:");
    }
}
