using OAuthClient.Samples.Tests.Support;

namespace OAuthClient.Samples.Tests;

/// <summary>samples/Worker as a service: SIGTERM stops the host, as systemd or Kubernetes would stop it.</summary>
public sealed class WorkerTests
{
    [LinuxFact]
    public async Task Sigterm_WhileCallingForever_StopsWithin2sWith0()
    {
        using var sample = SampleProcess.Start("Worker", ["--forever"]);
        await sample.WaitForLineAsync("Call 2:");

        var stop = await sample.TerminateAsync();

        SampleAssert.StoppedInTime(sample, stop, 0);
        Assert.Contains("Application is shutting down...", sample.Output, StringComparison.Ordinal);
    }

    [LinuxFact]
    public async Task Sigterm_WhileTheAuthorityDoesNotAnswer_StopsWithin2sWith0()
    {
        using var authority = new UnresponsiveServer();
        using var sample = SampleProcess.Start("Worker", ["--forever"], new Dictionary<string, string?>
        {
            ["OAuthClient__Api__Authority"] = authority.Address.AbsoluteUri,
            ["OAuthClient__Api__ClientSecret"] = "not-used",
            ["Api__BaseAddress"] = authority.Address.AbsoluteUri,
        });
        await authority.WaitForConnectionAsync();

        var stop = await sample.TerminateAsync();

        SampleAssert.StoppedInTime(sample, stop, 0);
    }
}
