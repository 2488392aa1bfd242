using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace OAuthClient.Samples;

/// <summary>Runs the development server standalone until Ctrl+C or SIGTERM: <c>dotnet run --project samples/DevAuthorizationServer [-- --port 5001 --api-port 5002 --downstream-api-port 5003]</c>.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var options = new DevAuthorizationServerOptions
        {
            AuthorizationServerPort = PortArgument(args, "--port"),
            ApiPort = PortArgument(args, "--api-port"),
            DownstreamApiPort = PortArgument(args, "--downstream-api-port"),
            ConfigureLogging = logging => logging.AddSimpleConsole(c => c.SingleLine = true).SetMinimumLevel(LogLevel.Warning)
                .AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error),
        };

        await using var server = await DevAuthorizationServer.StartAsync(options);
        Console.WriteLine($"Issuer:         {server.Issuer}");
        Console.WriteLine($"Discovery:      {server.Issuer}.well-known/openid-configuration");
        Console.WriteLine($"Token endpoint: {server.TokenEndpoint}");
        Console.WriteLine($"Demo API:       {server.ApiBaseAddress}whoami");
        Console.WriteLine($"Downstream API: {server.DownstreamApiBaseAddress}{DownstreamApiApp.WhoAmIPath} (aud {DevClients.DownstreamAudience})");
        Console.WriteLine($"Worker client:  {DevClients.WorkerClientId} / {DevClients.WorkerClientSecret} (scopes {DevClients.ApiReadScope} {DevClients.ApiWriteScope})");
        Console.WriteLine($"Service client: {DevClients.ServiceClientId} / {DevClients.ServiceClientSecret} (token exchange for {DevClients.DownstreamAudience}, scope {DevClients.DownstreamReadScope})");
        Console.WriteLine($"Public client:  {DevClients.InteractiveClientId} (authorization code + PKCE S256, redirect http://127.0.0.1:<any port>/...; device code)");
        Console.WriteLine($"Device flow:    {server.DeviceAuthorizationEndpoint}, verification page {server.VerificationEndpoint}");
        Console.WriteLine($"Revocation:     {server.RevocationEndpoint} (RFC 7009, each client its own tokens)");
        Console.WriteLine("Press Ctrl+C to stop.");

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };

        // A script that runs the server in the background (.ci/run) stops it with SIGTERM: shut down as on Ctrl+C.
        using var terminated = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }

        return 0;
    }

    private static int PortArgument(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], System.Globalization.CultureInfo.InvariantCulture, out var port) ? port : 0;
    }
}
