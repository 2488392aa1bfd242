namespace OAuthClient.Desktop;

/// <summary>Bounds on what one browser connection may cost the listener.</summary>
internal sealed record LoopbackLimits(int MaxRequestBytes, TimeSpan ReadTimeout, int MaxConnections)
{
    /// <summary>64 KiB per request (a form_post with an ID token fits), 10 seconds to send it, 8 connections at once.</summary>
    public static LoopbackLimits Default { get; } = new(64 * 1024, TimeSpan.FromSeconds(10), 8);
}
