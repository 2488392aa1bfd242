namespace OAuthClient.Desktop.Tests.Loopback;

public sealed class IdleConnectionsTests
{
    [Fact]
    public void Add_OverTheLimit_DropsTheOldest()
    {
        var idle = new IdleConnections(limit: 2);
        using var first = new CancellationTokenSource();
        using var second = new CancellationTokenSource();
        using var third = new CancellationTokenSource();

        idle.Add(first);
        idle.Add(second);
        idle.Add(third);

        Assert.True(first.IsCancellationRequested);
        Assert.False(second.IsCancellationRequested);
        Assert.False(third.IsCancellationRequested);
    }

    [Fact]
    public void Add_OldestRemovedAndDisposedMeanwhile_NewConnectionStillAccepted()
    {
        // The oldest sent its first byte, left the idle list and disposed its token just before the newest arrived.
        var idle = new IdleConnections(limit: 1);
        var first = new CancellationTokenSource();
        idle.Add(first);
        idle.Remove(first);
        first.Dispose();
        using var second = new CancellationTokenSource();

        var error = Record.Exception(() => idle.Add(second));

        Assert.Null(error);
        Assert.False(second.IsCancellationRequested);
    }
}
