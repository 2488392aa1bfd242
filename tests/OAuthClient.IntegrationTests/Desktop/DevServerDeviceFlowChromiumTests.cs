using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Duende.IdentityModel.Client;
using OAuthClient.Samples;

namespace OAuthClient.IntegrationTests.Desktop;

/// <summary>The device flow's verification page in headless Chromium: the Approve button clicked through the DevTools protocol.</summary>
public sealed class DevServerDeviceFlowChromiumTests
{
    [SkippableFact]
    public async Task VerificationPage_ApproveClickedInChromium_DeviceGetsTokens()
    {
        var chromium = ChromiumBrowser.Find();
        Skip.If(chromium is null, "Chromium is not installed (apt-get install -y chromium); .ci/run installs it.");
        await using var server = await DevAuthorizationServer.StartAsync(new DevAuthorizationServerOptions { DeviceCodeInterval = TimeSpan.FromSeconds(1) });
        using var http = new HttpClient();
        var device = await http.RequestDeviceAuthorizationAsync(new DeviceAuthorizationRequest
        {
            Address = server.DeviceAuthorizationEndpoint.AbsoluteUri,
            ClientId = DevClients.InteractiveClientId,
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
            Scope = DevClients.ApiReadScope,
        });
        Assert.False(device.IsError, device.Error);

        await ApproveInChromiumAsync(chromium!, new Uri(device.VerificationUriComplete!));

        var tokens = await http.RequestDeviceTokenAsync(new DeviceTokenRequest
        {
            Address = server.TokenEndpoint.AbsoluteUri,
            ClientId = DevClients.InteractiveClientId,
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
            DeviceCode = device.DeviceCode!,
        });
        Assert.False(tokens.IsError, tokens.Error);
    }

    /// <summary>Opens <paramref name="verificationUri"/> in headless Chromium and clicks Approve, as the user on another device would.</summary>
    internal static async Task ApproveInChromiumAsync(string chromium, Uri verificationUri)
    {
        using var http = new HttpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var profile = Directory.CreateTempSubdirectory("oauthclient-chromium-").FullName;
        using var process = StartChromium(chromium, profile, verificationUri);
        try
        {
            await EvaluateWhenTrueAsync(http, profile, "document.getElementById('approve') !== null && (document.getElementById('approve').click(), true)", timeout.Token);
            await EvaluateWhenTrueAsync(http, profile, "document.getElementById('result') !== null", timeout.Token);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            Directory.Delete(profile, recursive: true);
        }
    }

    private static Process StartChromium(string executable, string profile, Uri url)
    {
        var startInfo = new ProcessStartInfo(executable) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-sync",
            "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", $"--user-data-dir={profile}", url.AbsoluteUri,
        })
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Chromium did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    // Chromium writes its DevTools port to the profile; the page's target evaluates the expression until it answers true.
    private static async Task EvaluateWhenTrueAsync(HttpClient http, string profile, string expression, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var portFile = Path.Combine(profile, "DevToolsActivePort");
            if (File.Exists(portFile) && (await File.ReadAllLinesAsync(portFile, cancellationToken)) is [var port, ..] && port.Length > 0)
            {
                var targets = await http.GetFromJsonAsync<JsonElement>($"http://127.0.0.1:{port}/json/list", cancellationToken);
                var page = targets.EnumerateArray().FirstOrDefault(t => t.GetProperty("type").GetString() == "page");
                if (page.ValueKind == JsonValueKind.Object && await EvaluateAsync(page.GetProperty("webSocketDebuggerUrl").GetString()!, expression, cancellationToken))
                {
                    return;
                }
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    private static async Task<bool> EvaluateAsync(string webSocketUrl, string expression, CancellationToken cancellationToken)
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri(webSocketUrl), cancellationToken);
        var command = JsonSerializer.SerializeToUtf8Bytes(new { id = 1, method = "Runtime.evaluate", @params = new { expression, returnByValue = true } });
        await socket.SendAsync(command, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, cancellationToken);
            message.Write(buffer, 0, received.Count);
            if (received.EndOfMessage)
            {
                using var reply = JsonDocument.Parse(message.ToArray());
                if (reply.RootElement.TryGetProperty("id", out var id) && id.GetInt32() == 1)
                {
                    return reply.RootElement.TryGetProperty("result", out var result) && result.TryGetProperty("result", out var value)
                        && value.TryGetProperty("value", out var answer) && answer.ValueKind == JsonValueKind.True;
                }

                message.SetLength(0);
            }
        }
    }
}
