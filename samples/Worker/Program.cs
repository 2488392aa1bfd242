using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OAuthClient;
using OAuthClient.Samples;
using OAuthClient.Samples.WorkerSample;

// --forever keeps calling until Ctrl+C; otherwise the worker makes Worker:Calls calls and stops the host.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = [.. args.Where(a => a != "--forever")],
    ContentRootPath = AppContext.BaseDirectory,
});
if (args.Contains("--forever"))
{
    builder.Configuration["Worker:Forever"] = "true";
}

// No authority configured (OAuthClient:Api:Authority or TokenEndpoint): the embedded development server stands in.
var api = builder.Configuration.GetSection("OAuthClient:Api");
await using var devServer = api["Authority"] is null && api["TokenEndpoint"] is null ? await DevAuthorizationServer.StartAsync() : null;
if (devServer is not null)
{
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["OAuthClient:Api:Authority"] = devServer.Issuer.AbsoluteUri,
        ["OAuthClient:Api:ClientId"] = DevClients.WorkerClientId,
        ["OAuthClient:Api:ClientSecret"] = DevClients.WorkerClientSecret,
        ["Api:BaseAddress"] = devServer.ApiBaseAddress.AbsoluteUri,
    });
}

builder.Services.AddHttpClient(ApiCaller.ClientName, (services, client) =>
        client.BaseAddress = new Uri(services.GetRequiredService<IConfiguration>()["Api:BaseAddress"]
            ?? throw new InvalidOperationException("Set Api:BaseAddress to the API's base address.")))
    .AddClientCredentialsToken(api);
builder.Services.Configure<ApiCallerOptions>(builder.Configuration.GetSection("Worker"));
builder.Services.AddHostedService<ApiCaller>();

await builder.Build().RunAsync();
if (devServer is not null)
{
    Console.WriteLine($"The development server served {devServer.GetTokenRequestCount(DevClients.WorkerClientId)} token request(s) to '{DevClients.WorkerClientId}'.");
}

return Environment.ExitCode;
