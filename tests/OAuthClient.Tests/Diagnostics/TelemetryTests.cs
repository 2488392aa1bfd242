using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OAuthClient.Tests.Support;

namespace OAuthClient.Tests.Diagnostics;

public sealed class TelemetryTests : IDisposable
{
    // Listeners see every test's measurements: each test looks only at a client name of its own.
    private readonly string _client = $"telemetry-{Guid.NewGuid():N}";
    private readonly TestServices _services = new();
    private readonly ConcurrentQueue<Activity> _activities = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = new();
    private readonly ActivityListener _activityListener;
    private readonly MeterListener _meterListener = new();

    public TelemetryTests()
    {
        _services.ConfigureServices = s => s.AddHttpClient(_client, c => c.BaseAddress = ApiStub.BaseAddress)
            .AddClientCredentialsToken(TestServices.Defaults);

        _activityListener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == OAuthClientDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (Equals(activity.GetTagItem("oauthclient.client"), _client))
                {
                    _activities.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_activityListener);

        _meterListener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == OAuthClientDiagnostics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meterListener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meterListener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meterListener.Start();
    }

    public void Dispose()
    {
        _activityListener.Dispose();
        _meterListener.Dispose();
        _services.Dispose();
    }

    [Fact]
    public async Task GetTokenAsync_Success_OneSpanAndOneSuccessfulMeasurement()
    {
        await _services.TokenProvider.GetTokenAsync(_client);
        await _services.TokenProvider.GetTokenAsync(_client);

        var span = Assert.Single(_activities);
        Assert.Equal(OAuthClientDiagnostics.TokenRequestActivityName, span.OperationName);
        Assert.Equal("success", span.GetTagItem("oauthclient.outcome"));
        Assert.Equal("login.example.com", span.GetTagItem("server.address"));
        var count = Assert.Single(_measurements, m => m.Instrument == OAuthClientDiagnostics.TokenRequestsInstrument);
        Assert.Equal(1, count.Value);
        Assert.Equal("success", count.Tags["oauthclient.outcome"]);
        Assert.Single(_measurements, m => m.Instrument == OAuthClientDiagnostics.TokenRequestDurationInstrument);
    }

    [Fact]
    public async Task GetTokenAsync_OAuthError_SpanAndCounterCarryErrorCodeButNoSecret()
    {
        _services.TokenEndpoint.Then(() => TokenEndpointStub.Error(HttpStatusCode.BadRequest, "invalid_client", "Bad secret."));

        await Assert.ThrowsAsync<TokenRequestException>(() => _services.TokenProvider.GetTokenAsync(_client).AsTask());

        var span = Assert.Single(_activities);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal("invalid_client", span.GetTagItem("error.type"));
        var count = Assert.Single(_measurements, m => m.Instrument == OAuthClientDiagnostics.TokenRequestsInstrument);
        Assert.Equal("failure", count.Tags["oauthclient.outcome"]);
        Assert.Equal("invalid_client", count.Tags["error.type"]);
        Assert.All(span.TagObjects, tag => Assert.DoesNotContain(TestServices.ClientSecret, $"{tag.Value}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetTokenAsync_MissThenHits_CacheLookupsCountedByResult()
    {
        await _services.TokenProvider.GetTokenAsync(_client);
        await _services.TokenProvider.GetTokenAsync(_client);
        await _services.TokenProvider.GetTokenAsync(_client);

        var lookups = _measurements.Where(m => m.Instrument == OAuthClientDiagnostics.CacheLookupsInstrument).ToArray();
        Assert.Equal(1, lookups.Count(m => Equals(m.Tags["oauthclient.cache.result"], "miss")));
        Assert.Equal(2, lookups.Count(m => Equals(m.Tags["oauthclient.cache.result"], "hit")));
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            map[tag.Key] = tag.Value;
        }

        if (Equals(map.GetValueOrDefault("oauthclient.client"), _client))
        {
            _measurements.Enqueue((instrument.Name, value, map));
        }
    }
}
