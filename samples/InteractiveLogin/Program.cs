using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using OAuthClient.Desktop;
using OAuthClient.Samples;

// Settings come from --authority/--client-id/--scope/--api/--port/--sign-out/--device or OAUTHCLIENT_* variables;
// with no authority, the embedded development server and its demo API stand in. Where no browser can be opened (SSH, a
// container), or with --device, the sign-in uses a device code (RFC 8628). Ctrl+C and SIGTERM stop it at any step, with
// exit code 130 or 143; a second one ends the process at once.
var settings = new ConfigurationBuilder()
    .AddEnvironmentVariables("OAUTHCLIENT_")
    .AddCommandLine(args, new Dictionary<string, string>
    {
        ["--authority"] = "Authority", ["--client-id"] = "ClientId", ["--scope"] = "Scope", ["--api"] = "Api",
        ["--port"] = "Port", ["--sign-out"] = "SignOut", ["--device"] = "Device",
    })
    .Build();

using var stop = new CancellationTokenSource();
var stopExitCode = 0;
Console.CancelKeyPress += (_, e) => e.Cancel = Stop(130);
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
    System.Runtime.InteropServices.PosixSignal.SIGTERM, context => context.Cancel = Stop(143));
try
{
    return await RunAsync(settings, stop.Token);
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    Console.Error.WriteLine("Stopped.");
    return stopExitCode;
}
catch (Exception ex) when (ex is AuthorizationFailedException or OAuthClient.TokenRequestException or HttpRequestException or TimeoutException)
{
    Console.Error.WriteLine($"Sign-in failed: {ex.Message}");
    return 1;
}

// Cancels the run on the first signal and returns true, so the process waits for it; returns false on the next one.
bool Stop(int exitCode)
{
    if (stop.IsCancellationRequested)
    {
        return false;
    }

    stopExitCode = exitCode;
    stop.Cancel();
    return true;
}

static async Task<int> RunAsync(IConfiguration settings, CancellationToken cancellationToken)
{
    // The embedded server asks for a poll a second: it approves the device code at once, so the first poll succeeds.
    await using var devServer = string.IsNullOrEmpty(settings["Authority"])
        ? await DevAuthorizationServer.StartAsync(new DevAuthorizationServerOptions { DeviceCodeInterval = TimeSpan.FromSeconds(1) }, cancellationToken)
        : null;
    if (devServer is not null)
    {
        Console.WriteLine($"No --authority: started the development server at {devServer.Issuer} and its API at {devServer.ApiBaseAddress}");
    }

    // With --authority, --api too, unless signing out, which calls no API.
    var api = settings["Api"] is { Length: > 0 } address ? new Uri(address) : devServer is null ? null : new Uri(devServer.ApiBaseAddress, "whoami");
    var options = new InteractiveSignInOptions
    {
        Authority = new Uri(settings["Authority"] ?? devServer!.Issuer.AbsoluteUri),
        ClientId = settings["ClientId"] ?? DevClients.InteractiveClientId,
        Scope = settings["Scope"] ?? $"openid offline_access {DevClients.ApiReadScope}",
        RedirectPort = int.Parse(settings["Port"] ?? "0", CultureInfo.InvariantCulture),
    };
    if (api is not null)
    {
        options.ApiOrigins.Add(api);
    }

    // Refresh tokens outlive the run in the user's profile; the embedded server's keys do not, so it gets a folder of its own.
    var store = new FileTokenStore(devServer is null ? null : new FileTokenStoreOptions { Directory = Path.Combine(Path.GetTempPath(), "OAuthClient.InteractiveLogin.dev") });
    using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(c => c.SingleLine = true));
    var browser = new SystemBrowser(Console.Out);
    using var signIn = new InteractiveSignIn(options, store, browser, loggerFactory: loggers);
    if (settings["SignOut"] is not null)
    {
        await signIn.SignOutAsync(cancellationToken);
        Console.WriteLine("Signed out: the stored tokens are gone.");
        return 0;
    }

    if (api is null)
    {
        Console.Error.WriteLine("With --authority, also set --api, the address of the API to call: see samples/InteractiveLogin/README.md.");
        return 2;
    }

    // The stored sign-in when there is one (refreshed if need be); otherwise the user signs in, once.
    var user = await signIn.SignInSilentlyAsync(cancellationToken);
    if (user is not null)
    {
        Console.WriteLine($"Reusing the stored sign-in from {store.Directory}: no browser needed.");
    }
    else if (settings["Device"] is null && browser.CanOpen)
    {
        Console.WriteLine("Signing in: the browser opens (or the address to open is printed below).");
        user = await signIn.SignInAsync(cancellationToken);
    }
    else
    {
        Console.WriteLine(settings["Device"] is null ? "No browser can be opened here: signing in with a device code." : "Signing in with a device code.");
        user = await signIn.SignInWithDeviceCodeAsync(
            async (prompt, ct) =>
            {
                Console.WriteLine($"To sign in, open {prompt.VerificationUri} on any device and enter the code {prompt.UserCode}.");
                if (devServer is not null)
                {
                    // The development server has one user: it stands in for her and approves, as she would on the page.
                    Console.WriteLine("(The development server approves for its test user, as she would on that page.)");
                    await devServer.ApproveDeviceAsync(prompt.UserCode, cancellationToken: ct);
                }
            },
            cancellationToken);
    }

    Console.WriteLine($"Signed in as {user.Account?.DisplayName ?? "(unknown: the scope has no openid)"}; granted: {string.Join(' ', user.Scopes)}.");
    using var http = new HttpClient(signIn.CreateHandler());
    Console.WriteLine($"GET {api.AbsolutePath} -> {await http.GetStringAsync(api, cancellationToken)}");

    if (devServer is not null)
    {
        // What the next run does, shown here because the embedded server's keys die with this process:
        // a new InteractiveSignIn on the same store, no browser, and a refresh when the API rejects the access token.
        devServer.RevokeIssuedAccessTokens();
        using var nextRun = new InteractiveSignIn(options, store, new NoBrowser(), loggerFactory: loggers);
        using var nextHttp = new HttpClient(nextRun.CreateHandler());
        Console.WriteLine($"Next run, no browser: GET {api.AbsolutePath} -> {await nextHttp.GetStringAsync(api, cancellationToken)}");

        // Signing out revokes the refresh token at the server's revocation endpoint (RFC 7009), then forgets the tokens.
        await nextRun.SignOutAsync(cancellationToken);
    }

    return 0;
}

/// <summary>Stands for a run that must not open a browser.</summary>
internal sealed class NoBrowser : IBrowser
{
    public Task OpenAsync(Uri url, CancellationToken cancellationToken) => throw new InvalidOperationException("This run was to reuse the stored sign-in.");
}
