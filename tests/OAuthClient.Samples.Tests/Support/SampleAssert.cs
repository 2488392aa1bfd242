namespace OAuthClient.Samples.Tests.Support;

/// <summary>The one check of every stop test: the "SIGTERM ⇒ exit within 2 s", with the exit code each sample documents.</summary>
internal static class SampleAssert
{
    public static readonly TimeSpan StopDeadline = TimeSpan.FromSeconds(2);

    public static void StoppedInTime(SampleProcess sample, (int ExitCode, TimeSpan Elapsed) stop, int expectedExitCode)
    {
        Assert.True(stop.Elapsed < StopDeadline, $"The sample took {stop.Elapsed.TotalMilliseconds:F0} ms to exit after SIGTERM. Its output:\n{sample.Output}");
        Assert.True(stop.ExitCode == expectedExitCode, $"The sample exited {stop.ExitCode}, not {expectedExitCode}. Its output:\n{sample.Output}");
    }
}
