using OAuthClient.Samples.Tests.Support;

namespace OAuthClient.Samples.Tests;

/// <summary>samples/ClientCredentials, the README's main sample: it calls the API and exits, and SIGTERM ends a wait on a stuck server.</summary>
public sealed class ClientCredentialsTests
{
    [LinuxFact]
    public async Task Run_NoArguments_CallsTheApiThreeTimesWithOneToken()
    {
        using var sample = SampleProcess.Start("ClientCredentials");

        var exitCode = await sample.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(exitCode == 0, $"Exit code {exitCode}. Output:\n{sample.Output}");
        Assert.Contains("Call 3: GET /whoami -> {\"clientId\":\"worker\"", sample.Output, StringComparison.Ordinal);
        Assert.Contains("(token requests served so far: 1)\n", sample.Output, StringComparison.Ordinal);
    }

    [LinuxFact]
    public async Task Run_AuthorityWithoutApi_Exits2AndSaysWhatIsMissing()
    {
        using var authority = new UnresponsiveServer();
        using var sample = SampleProcess.Start("ClientCredentials", ["--authority", authority.Address.AbsoluteUri]);

        var exitCode = await sample.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(exitCode == 2, $"Exit code {exitCode}. Output:\n{sample.Output}");
        Assert.Contains("With --authority, also set --api", sample.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", sample.Output, StringComparison.Ordinal);
    }

    [LinuxFact]
    public async Task Sigterm_WhileTheAuthorityDoesNotAnswer_StopsWithin2sWith143()
    {
        using var authority = new UnresponsiveServer();
        using var sample = SampleProcess.Start("ClientCredentials", ["--authority", authority.Address.AbsoluteUri, "--api", new Uri(authority.Address, "whoami").AbsoluteUri]);
        await authority.WaitForConnectionAsync();

        var stop = await sample.TerminateAsync();

        SampleAssert.StoppedInTime(sample, stop, 143);
    }
}
