using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OAuthClient.Internal;

/// <summary>
/// Keeps generic resilience handlers off the backchannel. <c>ConfigureHttpClientDefaults(b =&gt; b.AddStandardResilienceHandler())</c>
/// (.NET Aspire's service defaults) reaches every named HttpClient, the backchannel's too; its retries would re-send one
/// request message, with its single-use client assertion and DPoP proof, and multiply token requests. Token traffic
/// keeps its own retries, each attempt with a fresh assertion and proof. Other handlers (logging, a proxy's) stay.
/// </summary>
internal sealed class BackchannelHandlerPolicy(BackchannelNames names) : IPostConfigureOptions<HttpClientFactoryOptions>
{
    // Microsoft.Extensions.Http.Resilience's handlers (AddStandardResilienceHandler, AddResilienceHandler, hedging), and
    // Microsoft.Extensions.Http.Polly's (AddPolicyHandler, AddTransientHttpErrorPolicy).
    private const string ResilienceNamespace = "Microsoft.Extensions.Http.Resilience";
    private const string PolicyHandler = "Microsoft.Extensions.Http.PolicyHttpMessageHandler";

    public void PostConfigure(string? name, HttpClientFactoryOptions options)
    {
        if (name is null || !names.Contains(name))
        {
            return;
        }

        options.HttpMessageHandlerBuilderActions.Add(builder =>
        {
            var removed = 0;
            for (var i = builder.AdditionalHandlers.Count - 1; i >= 0; i--)
            {
                var type = builder.AdditionalHandlers[i].GetType();
                if (type.Namespace?.StartsWith(ResilienceNamespace, StringComparison.Ordinal) == true || type.FullName == PolicyHandler)
                {
                    builder.AdditionalHandlers[i].Dispose();
                    builder.AdditionalHandlers.RemoveAt(i);
                    removed++;
                }
            }

            if (removed > 0)
            {
                Log.BackchannelResilienceLeftOut(builder.Services.GetRequiredService<ILoggerFactory>().CreateLogger(TokenEndpoint.LogCategory), name, removed);
            }
        });
    }
}
