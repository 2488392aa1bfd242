using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using OAuthClient.Samples;
using OAuthClient.Samples.OnBehalfOfSample;

// Ctrl+C and SIGTERM cancel the run: everything below takes this token, and the apps stop within 1.5 s at worst. A second
// Ctrl+C or SIGTERM ends the process at once.
using var stop = new CancellationTokenSource();
var stopExitCode = 0;
Console.CancelKeyPress += (_, e) => e.Cancel = Stop(130);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => c.Cancel = Stop(143));

// Settings come from these switches or OAUTHCLIENT_* variables (OAUTHCLIENT_USERTOKEN keeps the token out of the shell's
// history); with no authority, the embedded development server, its downstream API and its test user stand in.
var switches = new Dictionary<string, string>
{
    ["--authority"] = "Authority", ["--client-id"] = "ClientId", ["--client-secret"] = "ClientSecret",
    ["--audience"] = "Audience", ["--downstream"] = "Downstream", ["--user-token"] = "UserToken", ["--user"] = "User",
};
var settings = new ConfigurationBuilder().AddEnvironmentVariables("OAUTHCLIENT_").AddCommandLine(args, switches).Build();
var missing = settings["Authority"] is null ? [] : switches.Where(s => s.Value is "ClientSecret" or "Downstream" or "UserToken" && string.IsNullOrEmpty(settings[s.Value])).Select(s => s.Key).ToList();
if (missing.Count > 0)
{
    Console.Error.WriteLine($"With --authority, also set {string.Join(", ", missing)}: see samples/OnBehalfOf/README.md.");
    return 2;
}

try
{
    await using var devServer = settings["Authority"] is null ? await DevAuthorizationServer.StartAsync(cancellationToken: stop.Token) : null;
    if (devServer is not null)
    {
        Console.WriteLine($"No --authority: started the development server at {devServer.Issuer} and its downstream API at {devServer.DownstreamApiBaseAddress}");
    }

    var front = new FrontApiSettings(
        new Uri(settings["Authority"] ?? devServer!.Issuer.AbsoluteUri),
        settings["ClientId"] ?? DevClients.ServiceClientId,
        settings["ClientSecret"] ?? DevClients.ServiceClientSecret,
        settings["Audience"] ?? DevClients.DownstreamAudience,
        new Uri(settings["Downstream"] ?? new Uri(devServer!.DownstreamApiBaseAddress, "downstream/whoami").AbsoluteUri));
    await using var frontApi = await FrontApi.StartAsync(front, stop.Token);
    Console.WriteLine($"Front API '{front.ClientId}' at {frontApi.Address}: GET /{FrontApi.ProfilePath} calls {front.Downstream} on behalf of its caller (audience '{front.Audience}')");

    // The user's app: signs the user in, then calls the front API with the user's token.
    var userToken = settings["UserToken"] ?? await UserSignIn.GetAccessTokenAsync(devServer!, settings["User"], stop.Token);
    var user = new JsonWebToken(userToken).Subject; // read for display; the front API is the one that validates it
    Console.WriteLine($"User's app: {(settings["UserToken"] is null ? "signed the user in" : "took the user's token from --user-token")}, sub '{user}'");

    using var http = new HttpClient();
    Profile? profile = null;
    for (var call = 1; call <= 3; call++)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(frontApi.Address, FrontApi.ProfilePath));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", userToken);
        using var response = await http.SendAsync(request, stop.Token);
        if (!response.IsSuccessStatusCode)
        {
            // The front API explains a failed exchange or downstream call in a problem+json detail, JwtBearer a refused token in WWW-Authenticate.
            var problem = response.Content.Headers.ContentType?.MediaType == "application/problem+json"
                ? (await response.Content.ReadFromJsonAsync<ProblemDetails>(stop.Token))?.Detail
                : null;
            Console.Error.WriteLine($"Call {call}: the front API answered {(int)response.StatusCode}: {problem ?? response.Headers.WwwAuthenticate.ToString()}");
            return 1;
        }

        profile = await response.Content.ReadFromJsonAsync<Profile>(stop.Token);
        var exchanges = devServer?.GetTokenExchangeRequestCount(front.ClientId).ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "n/a";
        Console.WriteLine($"Call {call}: GET /{FrontApi.ProfilePath} -> caller '{profile?.Caller}', downstream answered {profile?.Downstream} (token exchanges so far: {exchanges})");
    }

    var seen = JsonSerializer.Deserialize<DownstreamWhoAmI>(profile!.Downstream);
    var actor = seen?.Actor is { ValueKind: JsonValueKind.Object } act && act.TryGetProperty("sub", out var sub) ? sub.GetString() : null;
    Console.WriteLine($"The downstream API saw sub '{seen?.Subject}' (the user), act '{actor}' (who acts for the user), client_id '{seen?.ClientId}'");
    if (devServer is not null && (seen?.Subject != user || actor != front.ClientId || devServer.GetTokenExchangeRequestCount(front.ClientId) != 1))
    {
        Console.Error.WriteLine($"Unexpected: the downstream API should see sub '{user}' and act '{front.ClientId}', after 1 token exchange for 3 calls.");
        return 1;
    }

    return 0;
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    Console.Error.WriteLine("Stopped.");
    return stopExitCode;
}
catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException or OptionsValidationException or ArgumentException or JsonException)
{
    Console.Error.WriteLine($"Failed: {ex.Message}");
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
