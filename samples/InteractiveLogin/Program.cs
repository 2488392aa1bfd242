using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using OAuthClient.Desktop;
using OAuthClient.Samples;

// Settings come from --authority/--client-id/--scope/--api/--port/--sign-out or OAUTHCLIENT_* variables;
// with no authority, the embedded development server and its demo API stand in.
var settings = new ConfigurationBuilder()
    .AddEnvironmentVariables("OAUTHCLIENT_")
    .AddCommandLine(args, new Dictionary<string, string>
    {
        ["--authority"] = "Authority", ["--client-id"] = "ClientId", ["--scope"] = "Scope", ["--api"] = "Api",
        ["--port"] = "Port", ["--sign-out"] = "SignOut",
    })
    .Build();

await using var devServer = string.IsNullOrEmpty(settings["Authority"]) ? await DevAuthorizationServer.StartAsync() : null;
if (devServer is not null)
{
    Console.WriteLine($"No --authority: started the development server at {devServer.Issuer} and its API at {devServer.ApiBaseAddress}");
}

var api = new Uri(settings["Api"] ?? new Uri(devServer!.ApiBaseAddress, "whoami").AbsoluteUri);
var options = new InteractiveSignInOptions
{
    Authority = new Uri(settings["Authority"] ?? devServer!.Issuer.AbsoluteUri),
    ClientId = settings["ClientId"] ?? DevClients.InteractiveClientId,
    Scope = settings["Scope"] ?? $"openid offline_access {DevClients.ApiReadScope}",
    RedirectPort = int.Parse(settings["Port"] ?? "0", CultureInfo.InvariantCulture),
    ApiOrigins = { api },
};

// Refresh tokens outlive the run in the user's profile; the embedded server's keys do not, so it gets a folder of its own.
var store = new FileTokenStore(devServer is null ? null : new FileTokenStoreOptions { Directory = Path.Combine(Path.GetTempPath(), "OAuthClient.InteractiveLogin.dev") });
using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(c => c.SingleLine = true));
using var signIn = new InteractiveSignIn(options, store, new SystemBrowser(Console.Out), loggerFactory: loggers);
if (settings["SignOut"] is not null)
{
    await signIn.SignOutAsync();
    Console.WriteLine("Signed out: the stored tokens are gone.");
    return 0;
}

try
{
    await signIn.GetAccessTokenAsync();
    Console.WriteLine($"Reusing the stored sign-in from {store.Directory}: no browser needed.");
}
catch (SignInRequiredException)
{
    Console.WriteLine("Signing in: the browser opens (or the address to open is printed below).");
    await signIn.SignInAsync();
}

using var http = new HttpClient(signIn.CreateHandler());
Console.WriteLine($"GET {api.AbsolutePath} -> {await http.GetStringAsync(api)}");

if (devServer is not null)
{
    // What the next run does, shown here because the embedded server's keys die with this process:
    // a new InteractiveSignIn on the same store, no browser, and a refresh when the API rejects the access token.
    devServer.RevokeIssuedAccessTokens();
    using var nextRun = new InteractiveSignIn(options, store, new NoBrowser(), loggerFactory: loggers);
    using var nextHttp = new HttpClient(nextRun.CreateHandler());
    Console.WriteLine($"Next run, no browser: GET {api.AbsolutePath} -> {await nextHttp.GetStringAsync(api)}");
    await nextRun.SignOutAsync();
}

return 0;

/// <summary>Stands for a run that must not open a browser.</summary>
internal sealed class NoBrowser : IBrowser
{
    public Task OpenAsync(Uri url, CancellationToken cancellationToken) => throw new InvalidOperationException("This run was to reuse the stored sign-in.");
}
