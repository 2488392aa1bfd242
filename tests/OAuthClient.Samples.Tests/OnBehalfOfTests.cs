using OAuthClient.Samples.Tests.Support;

namespace OAuthClient.Samples.Tests;

/// <summary>samples/OnBehalfOf stops on SIGTERM even while its front API is stuck on an authority that does not answer.</summary>
public sealed class OnBehalfOfTests
{
    // A user's token as the sample reads it (for the subject it prints); the front API never gets to validate it.
    private const string UserToken = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9.";

    [LinuxFact]
    public async Task Sigterm_WhileTheFrontApiWaitsOnTheAuthority_StopsWithin2sWith143()
    {
        using var authority = new UnresponsiveServer();
        using var sample = SampleProcess.Start("OnBehalfOf", [
            "--authority", authority.Address.AbsoluteUri, "--client-secret", "not-used",
            "--downstream", new Uri(authority.Address, "downstream").AbsoluteUri, "--user-token", UserToken]);
        await sample.WaitForLineAsync("User's app: took the user's token");
        await authority.WaitForConnectionAsync();

        var stop = await sample.TerminateAsync();

        SampleAssert.StoppedInTime(sample, stop, 143);
        Assert.Contains("Stopped.\n", sample.Output, StringComparison.Ordinal);
    }
}
