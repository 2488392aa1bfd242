using Microsoft.Extensions.Logging;

namespace OAuthClient.Samples;

/// <summary>Configures an embedded <see cref="DevAuthorizationServer"/>.</summary>
public sealed class DevAuthorizationServerOptions
{
    /// <summary>Gets or sets how long access tokens live.</summary>
    /// <remarks>Defaults to 5 minutes; tests set it short.</remarks>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets the polling interval the device authorization endpoint announces (<c>interval</c>, RFC 8628 §3.2).</summary>
    /// <remarks>Defaults to 5 seconds; tests set 1 second.</remarks>
    public TimeSpan DeviceCodeInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets how long device and user codes live before the token endpoint answers <c>expired_token</c>.</summary>
    /// <remarks>Defaults to 10 minutes. Measured by <see cref="TimeProvider"/>.</remarks>
    public TimeSpan DeviceCodeLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Gets or sets the port of the authorization server on 127.0.0.1; 0 picks a free one.</summary>
    public int AuthorizationServerPort { get; set; }

    /// <summary>Gets or sets the port of the demo API on 127.0.0.1; 0 picks a free one.</summary>
    public int ApiPort { get; set; }

    /// <summary>Gets or sets the port of the downstream API on 127.0.0.1; 0 picks a free one.</summary>
    public int DownstreamApiPort { get; set; }

    /// <summary>Gets or sets the clock that stamps tokens and that the APIs check their expiry against.</summary>
    /// <remarks>Defaults to the system clock. A fake clock lets tests expire tokens at the API without waiting.</remarks>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets or sets whether the token endpoint and the APIs require a server nonce in DPoP proofs (RFC 9449 §8, §9).</summary>
    public bool RequireDpopNonce { get; set; }

    /// <summary>Gets or sets whether the authorization endpoint accepts only pushed requests (RFC 9126 §5), by <c>request_uri</c>.</summary>
    /// <remarks>Defaults to <see langword="false"/>. Discovery then says <c>require_pushed_authorization_requests: true</c>.</remarks>
    public bool RequirePushedAuthorizationRequests { get; set; }

    /// <summary>Gets or sets what the three apps log, and where; nothing when <see langword="null"/>.</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; set; }
}
