namespace OAuthClient.Samples.WorkerSample;

/// <summary>How often <see cref="ApiCaller"/> calls the API, bound from the <c>Worker</c> section.</summary>
internal sealed class ApiCallerOptions
{
    /// <summary>Gets or sets how many calls to make before the host stops.</summary>
    public int Calls { get; set; } = 3;

    /// <summary>Gets or sets the pause between calls.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets whether to keep calling until the host is stopped.</summary>
    public bool Forever { get; set; }
}
