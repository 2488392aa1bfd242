namespace OAuthClient.Samples.Tests.Support;

/// <summary>
/// A test of how a sample behaves in a Linux terminal: headless means no <c>DISPLAY</c> there (macOS and Windows always
/// have a browser), and stopping means SIGTERM. Elsewhere the test is skipped; CI runs Linux, where it always runs.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "Runs on Linux only: the samples are run headless and stopped with SIGTERM.";
        }
    }
}
