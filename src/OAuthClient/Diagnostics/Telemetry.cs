using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OAuthClient;

/// <summary>The package's span and instruments; see <see cref="OAuthClientDiagnostics"/> for their names.</summary>
internal static class Telemetry
{
    private const string ClientTag = "oauthclient.client";
    private const string OutcomeTag = "oauthclient.outcome";
    private const string ServerTag = "server.address";
    private const string ErrorTag = "error.type";
    private const string ResultTag = "oauthclient.cache.result";

    private static readonly string? Version = typeof(Telemetry).Assembly.GetName().Version?.ToString();
    private static readonly ActivitySource Source = new(OAuthClientDiagnostics.ActivitySourceName, Version);
    private static readonly Meter Meter = new(OAuthClientDiagnostics.MeterName, Version);

    private static readonly Counter<long> TokenRequests = Meter.CreateCounter<long>(
        OAuthClientDiagnostics.TokenRequestsInstrument, unit: "{request}", description: "Token acquisitions, retries included, by outcome.");

    private static readonly Histogram<double> TokenRequestDuration = Meter.CreateHistogram<double>(
        OAuthClientDiagnostics.TokenRequestDurationInstrument, unit: "s", description: "How long token acquisitions took, retries included.");

    private static readonly Counter<long> CacheLookups = Meter.CreateCounter<long>(
        OAuthClientDiagnostics.CacheLookupsInstrument, unit: "{lookup}", description: "Token cache lookups, by client and result (hit or miss).");

    /// <summary>Counts a cache hit; free when nobody listens, since this runs on every API request.</summary>
    public static void CacheHit(string clientName)
    {
        if (CacheLookups.Enabled)
        {
            CacheLookups.Add(1, new KeyValuePair<string, object?>(ClientTag, clientName), new KeyValuePair<string, object?>(ResultTag, "hit"));
        }
    }

    /// <summary>Counts a cache miss: a caller who had to wait for a token request.</summary>
    public static void CacheMiss(string clientName)
    {
        if (CacheLookups.Enabled)
        {
            CacheLookups.Add(1, new KeyValuePair<string, object?>(ClientTag, clientName), new KeyValuePair<string, object?>(ResultTag, "miss"));
        }
    }

    public static Activity? StartTokenRequest(string clientName, Uri endpoint)
    {
        var activity = Source.StartActivity(OAuthClientDiagnostics.TokenRequestActivityName, ActivityKind.Client);
        activity?.SetTag(ClientTag, clientName);
        activity?.SetTag(ServerTag, endpoint.Host);
        return activity;
    }

    /// <summary>Records how one acquisition ended: <paramref name="errorType"/> is <see langword="null"/> on success.</summary>
    /// <param name="activity">The span of the acquisition, if it is recorded.</param>
    /// <param name="clientName">The client's name.</param>
    /// <param name="endpoint">The endpoint that was asked.</param>
    /// <param name="elapsed">How long it took.</param>
    /// <param name="errorType">The OAuth error code or the exception type; <see langword="null"/> on success. Never a message or a body.</param>
    public static void TokenRequestEnded(Activity? activity, string clientName, Uri endpoint, TimeSpan elapsed, string? errorType)
    {
        var outcome = errorType is null ? "success" : "failure";

        if (activity is not null)
        {
            activity.SetTag(OutcomeTag, outcome);
            if (errorType is not null)
            {
                activity.SetTag(ErrorTag, errorType);
                activity.SetStatus(ActivityStatusCode.Error);
            }
        }

        var tags = new TagList
        {
            { ClientTag, clientName },
            { ServerTag, endpoint.Host },
            { OutcomeTag, outcome },
        };
        if (errorType is not null)
        {
            tags.Add(ErrorTag, errorType);
        }

        TokenRequests.Add(1, tags);
        TokenRequestDuration.Record(elapsed.TotalSeconds, tags);
    }
}
