using OAuthClient.Desktop.Tests.Support;

namespace OAuthClient.Desktop.Tests.DeviceCode;

/// <summary>A discovery document whose optional device_authorization_endpoint is plain HTTP: only the device sign-in may suffer.</summary>
public sealed class DeviceCodeInsecureDiscoveryTests : IDisposable
{
    private readonly SignInFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task GetAccessTokenAsync_DiscoveryNamesHttpDeviceEndpoint_RefreshStillWorks()
    {
        _fixture.Server.AdvertisedDeviceEndpoint = "http://login.example.com/connect/device";
        await _fixture.SeedAsync();

        var token = await _fixture.SignIn.GetAccessTokenAsync();

        Assert.Equal("access-token-1", token.Value);
    }
}
