using OAuthClient.Samples.Tests.Support;

namespace OAuthClient.Samples.Tests;

/// <summary>samples/DevAuthorizationServer run standalone, as .ci/run runs it in the background and stops it.</summary>
public sealed class DevAuthorizationServerTests
{
    [LinuxFact]
    public async Task Sigterm_WhenStarted_StopsWithin2sWith0()
    {
        using var sample = SampleProcess.Start("DevAuthorizationServer");
        await sample.WaitForLineAsync("Press Ctrl+C to stop.");

        var stop = await sample.TerminateAsync();

        SampleAssert.StoppedInTime(sample, stop, 0);
    }
}
