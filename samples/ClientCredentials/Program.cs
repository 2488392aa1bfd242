using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using OAuthClient;
using OAuthClient.Samples;

// Settings come from --authority/--client-id/--client-secret/--scope/--api, OAUTHCLIENT_* variables or appsettings.json;
// with no authority, the embedded development server and its demo API stand in.
var settings = new ConfigurationBuilder()
    .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
    .AddEnvironmentVariables("OAUTHCLIENT_")
    .AddCommandLine(args, new Dictionary<string, string>
    {
        ["--authority"] = "Authority", ["--client-id"] = "ClientId", ["--client-secret"] = "ClientSecret",
        ["--scope"] = "Scope", ["--api"] = "Api",
    })
    .Build();

if (!string.IsNullOrEmpty(settings["Authority"]) && string.IsNullOrEmpty(settings["Api"]))
{
    Console.Error.WriteLine("With --authority, also set --api, the address of the API to call: see samples/ClientCredentials/README.md.");
    return 2;
}

await using var devServer = string.IsNullOrEmpty(settings["Authority"]) ? await DevAuthorizationServer.StartAsync() : null;
if (devServer is not null)
{
    Console.WriteLine($"No --authority: started the development server at {devServer.Issuer} and its API at {devServer.ApiBaseAddress}");
}

var api = new Uri(settings["Api"] ?? new Uri(devServer!.ApiBaseAddress, "whoami").AbsoluteUri);
var options = new ClientCredentialsOptions
{
    Authority = new Uri(settings["Authority"] ?? devServer!.Issuer.AbsoluteUri),
    ClientId = settings["ClientId"] ?? DevClients.WorkerClientId,
    ClientSecret = settings["ClientSecret"] ?? DevClients.WorkerClientSecret,
    Scope = settings["Scope"] ?? DevClients.ApiReadScope,
};
options.ApiOrigins.Add(api);

using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(c => c.SingleLine = true));
using var http = new HttpClient(ClientCredentials.CreateHandler(options, loggerFactory: loggers));
try
{
    for (var call = 1; call <= 3; call++)
    {
        var answer = await http.GetStringAsync(api);
        var tokenRequests = devServer?.GetTokenRequestCount(options.ClientId).ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "n/a";
        Console.WriteLine($"Call {call}: GET {api.AbsolutePath} -> {answer} (token requests served so far: {tokenRequests})");
    }
}
catch (TokenRequestException ex)
{
    Console.Error.WriteLine($"No token: {ex.Message}");
    return 1;
}

return 0;
