using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace OAuthClient.IntegrationTests.Support;

/// <summary>Small Kestrel apps on a loopback address, for servers a test plays (an API, a hostile authorization server).</summary>
internal static class LoopbackApps
{
    /// <summary>Starts an app listening on <paramref name="url"/> (an ephemeral port: <c>http://127.0.0.1:0</c>).</summary>
    public static async Task<WebApplication> StartAsync(string url, Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        return app;
    }

    /// <summary>Gets the address the app listens on, with the port the system chose.</summary>
    public static string Address(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
}
