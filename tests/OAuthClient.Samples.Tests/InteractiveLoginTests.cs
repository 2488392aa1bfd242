using System.Text.RegularExpressions;
using OAuthClient.Samples.Tests.Support;

namespace OAuthClient.Samples.Tests;

/// <summary>samples/InteractiveLogin in a terminal with no browser: it signs in with a device code and stops at once on SIGTERM.</summary>
public sealed partial class InteractiveLoginTests
{
    [LinuxFact]
    public async Task Run_NoBrowser_SignsInWithDeviceCodeAndCallsTheApi()
    {
        using var sample = SampleProcess.Start("InteractiveLogin");

        var exitCode = await sample.WaitForExitAsync(TimeSpan.FromSeconds(90));

        Assert.True(exitCode == 0, $"Exit code {exitCode}. Output:\n{sample.Output}");
        Assert.Contains("No browser can be opened here: signing in with a device code.", sample.Output, StringComparison.Ordinal);
        Assert.Matches(DevicePrompt(), sample.Output);
        Assert.Contains("GET /whoami -> {\"clientId\":\"desktop\",\"subject\":\"alice\"", sample.Output, StringComparison.Ordinal);
        Assert.Contains("Signed in as Alice; granted: openid offline_access api.read.", sample.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("the browser opens", sample.Output, StringComparison.Ordinal);
    }

    [LinuxFact]
    public async Task Run_NoBrowser_TheFinalSignOutRevokesTheRefreshToken()
    {
        using var sample = SampleProcess.Start("InteractiveLogin");

        var exitCode = await sample.WaitForExitAsync(TimeSpan.FromSeconds(90));

        Assert.True(exitCode == 0, $"Exit code {exitCode}. Output:\n{sample.Output}");
        Assert.Contains("Client 'default' signed out; refresh token revoked: True.", sample.Output, StringComparison.Ordinal);
    }

    [LinuxFact]
    public async Task Sigterm_WhileWaitingForDeviceApproval_StopsWithin2sWith143()
    {
        // A server of the test's own, where no one approves the code: the sample polls until stopped.
        await using var server = await DevAuthorizationServer.StartAsync();
        using var sample = SampleProcess.Start("InteractiveLogin", ["--authority", server.Issuer.AbsoluteUri, "--api", new Uri(server.ApiBaseAddress, "whoami").AbsoluteUri]);
        Assert.Matches(DevicePrompt(), await sample.WaitForLineAsync("enter the code"));
        await sample.WaitForLineAsync("waiting for approval");

        var stop = await sample.TerminateAsync();

        SampleAssert.StoppedInTime(sample, stop, 143);
        Assert.Contains("Stopped.\n", sample.Output, StringComparison.Ordinal);
    }

    [LinuxFact]
    public async Task Sigterm_WhileTheAuthorityDoesNotAnswer_StopsWithin2sWith143()
    {
        using var authority = new UnresponsiveServer();
        using var sample = SampleProcess.Start("InteractiveLogin", ["--authority", authority.Address.AbsoluteUri, "--api", new Uri(authority.Address, "whoami").AbsoluteUri]);
        await authority.WaitForConnectionAsync();

        var stop = await sample.TerminateAsync();

        SampleAssert.StoppedInTime(sample, stop, 143);
        Assert.Contains("Stopped.\n", sample.Output, StringComparison.Ordinal);
    }

    [LinuxFact]
    public async Task Sigterm_WhileWaitingForTheBrowser_StopsWithin2sWith143()
    {
        // A "browser" that starts and shows nothing: the sign-in waits for a redirect that never comes.
        await using var server = await DevAuthorizationServer.StartAsync();
        using var sample = SampleProcess.Start(
            "InteractiveLogin",
            ["--authority", server.Issuer.AbsoluteUri, "--api", new Uri(server.ApiBaseAddress, "whoami").AbsoluteUri],
            new Dictionary<string, string?> { ["BROWSER"] = "true" });
        await sample.WaitForLineAsync("waiting for the browser");

        var stop = await sample.TerminateAsync();

        SampleAssert.StoppedInTime(sample, stop, 143);
        Assert.Contains("Stopped.\n", sample.Output, StringComparison.Ordinal);
    }

    [LinuxFact]
    public async Task Run_AuthorityWithoutApi_Exits2AndSaysWhatIsMissing()
    {
        using var authority = new UnresponsiveServer();
        using var sample = SampleProcess.Start("InteractiveLogin", ["--authority", authority.Address.AbsoluteUri]);

        var exitCode = await sample.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(exitCode == 2, $"Exit code {exitCode}. Output:\n{sample.Output}");
        Assert.Contains("With --authority, also set --api", sample.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", sample.Output, StringComparison.Ordinal);
    }

    [LinuxFact]
    public async Task Run_SignOutWithAuthorityOnly_SignsOut()
    {
        await using var server = await DevAuthorizationServer.StartAsync();
        using var sample = SampleProcess.Start("InteractiveLogin", ["--authority", server.Issuer.AbsoluteUri, "--sign-out", "true"]);

        var exitCode = await sample.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(exitCode == 0, $"Exit code {exitCode}. Output:\n{sample.Output}");
        Assert.Contains("Signed out: the stored tokens are gone.", sample.Output, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"To sign in, open http://127\.0\.0\.1:\d+/connect/verify on any device and enter the code [A-Z]{8}\.")]
    private static partial Regex DevicePrompt();
}
