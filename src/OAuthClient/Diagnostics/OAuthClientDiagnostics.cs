namespace OAuthClient;

/// <summary>Names the tracing and metrics sources of the package, for OpenTelemetry or any <c>System.Diagnostics</c> listener.</summary>
/// <remarks>
/// Spans and measurements carry the client name, the token endpoint's host and the outcome; never a secret or a token.
/// </remarks>
public static class OAuthClientDiagnostics
{
    /// <summary>The name of the <see cref="System.Diagnostics.ActivitySource"/> that traces each token acquisition.</summary>
    public const string ActivitySourceName = "OAuthClient";

    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/> that counts and times token requests.</summary>
    public const string MeterName = "OAuthClient";

    /// <summary>The name of the span around one token acquisition, retries included.</summary>
    public const string TokenRequestActivityName = "OAuthClient.TokenRequest";

    /// <summary>The counter of token acquisitions, tagged with the client, the endpoint host and the outcome.</summary>
    public const string TokenRequestsInstrument = "oauthclient.token.requests";

    /// <summary>The histogram of token acquisition durations, in seconds, with the same tags.</summary>
    public const string TokenRequestDurationInstrument = "oauthclient.token.request.duration";

    /// <summary>The counter of token cache lookups, tagged with the client and <c>oauthclient.cache.result</c> (<c>hit</c> or <c>miss</c>).</summary>
    public const string CacheLookupsInstrument = "oauthclient.token.cache.lookups";
}
