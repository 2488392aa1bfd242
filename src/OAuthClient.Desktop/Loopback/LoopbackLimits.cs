namespace OAuthClient.Desktop;

/// <summary>Bounds on what one browser connection may cost the listener.</summary>
internal sealed record LoopbackLimits(int MaxRequestBytes, TimeSpan ReadTimeout, int MaxConnections, int MaxIdleConnections = 64)
{
    /// <summary>
    /// 64 KiB per request (a form_post with an ID token fits), 10 seconds to send it once it has started, 8 requests read
    /// at once, and 64 connections that have sent nothing yet (beyond those, the oldest is dropped).
    /// </summary>
    public static LoopbackLimits Default { get; } = new(64 * 1024, TimeSpan.FromSeconds(10), 8);
}
