using OAuthClient.Samples;

namespace OAuthClient.IntegrationTests.Support;

/// <summary>One development server shared by the tests of a class; each test uses a client id of its own, so counts don't mix.</summary>
public sealed class DevServerFixture : IAsyncLifetime
{
    private DevAuthorizationServer? _server;

    public DevAuthorizationServer Server => _server ?? throw new InvalidOperationException("The server has not started.");

    public async Task InitializeAsync() => _server = await DevAuthorizationServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
