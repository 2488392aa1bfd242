using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OAuthClient.Samples.WorkerSample;

/// <summary>A background service that calls the protected API the way a microservice would, then stops the host.</summary>
internal sealed partial class ApiCaller(
    IHttpClientFactory clients,
    IOptions<ApiCallerOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<ApiCaller> logger) : BackgroundService
{
    public const string ClientName = "api";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var client = clients.CreateClient(ClientName);
        using var timer = new PeriodicTimer(settings.Interval, time);
        try
        {
            var call = 0;
            do
            {
                call++;
                var answer = await client.GetStringAsync(new Uri("whoami", UriKind.Relative), stoppingToken);
                Called(logger, call, answer);
            }
            while ((settings.Forever || call < settings.Calls) && await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is HttpRequestException or TokenRequestException)
        {
            // The API could not be reached, or no token could be had: the message says which client failed and why.
            CallFailed(logger, ex);
            Environment.ExitCode = 1;
        }

        lifetime.StopApplication();
    }

    [LoggerMessage(1, LogLevel.Information, "Call {Call}: GET /whoami -> {Answer}")]
    private static partial void Called(ILogger logger, int call, string answer);

    [LoggerMessage(2, LogLevel.Error, "The API call failed.")]
    private static partial void CallFailed(ILogger logger, Exception exception);
}
