using System.Net;
using System.Text.Json;
using Duende.IdentityModel.Client;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace OAuthClient;

/// <summary>
/// Sends a token request built with Duende.IdentityModel, retries transient failures with Polly, and turns
/// the response into an <see cref="AccessToken"/> or a <see cref="TokenRequestException"/>.
/// </summary>
internal sealed class TokenClient
{
    private readonly Func<HttpMessageInvoker> _createInvoker;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public TokenClient(Func<HttpMessageInvoker> createInvoker, TimeProvider time, ILogger<TokenClient> logger)
    {
        _createInvoker = createInvoker;
        _time = time;
        _logger = logger;
    }

    /// <summary>Caps the responses <paramref name="client"/> reads, unless its owner already set a cap of their own.</summary>
    public static HttpClient LimitResponseSize(HttpClient client)
    {
        // An oversized answer is no token response; reading it whole would only cost memory.
        if (client.MaxResponseContentBufferSize == int.MaxValue)
        {
            client.MaxResponseContentBufferSize = ClientCredentialsDefaults.MaxResponseSize;
        }

        return client;
    }

    /// <summary>Gets an invoker for discovery and token requests.</summary>
    public HttpMessageInvoker CreateInvoker() => _createInvoker();

    /// <summary>Sends the request that <paramref name="send"/> makes, retrying transient failures.</summary>
    public async Task<AccessToken> RequestAsync<TState>(
        TokenRequestContext context,
        TState state,
        Func<HttpMessageInvoker, TState, CancellationToken, Task<TokenResponse>> send,
        CancellationToken cancellationToken) =>
        (await RequestGrantAsync(context, state, send, cancellationToken).ConfigureAwait(false)).AccessToken;

    /// <summary>Sends the request that <paramref name="send"/> makes and keeps the refresh and ID tokens of the answer too.</summary>
    public async Task<TokenGrant> RequestGrantAsync<TState>(
        TokenRequestContext context,
        TState state,
        Func<HttpMessageInvoker, TState, CancellationToken, Task<TokenResponse>> send,
        CancellationToken cancellationToken)
    {
        using var activity = Telemetry.StartTokenRequest(context);
        var started = _time.GetTimestamp();
        try
        {
            var invoker = CreateInvoker();
            var pipeline = BuildRetryPipeline<TokenResponse>(context);
            using var response = await pipeline.ExecuteAsync(
                static async (s, ct) => await s.send(s.invoker, s.state, ct).ConfigureAwait(false),
                (send, invoker, state),
                cancellationToken).ConfigureAwait(false);

            var token = ReadToken(response, context);
            Log.TokenAcquired(_logger, context.ClientName, token.TokenType, token.Scope, token.ExpiresAt - _time.GetUtcNow());
            Telemetry.TokenRequestEnded(activity, context, _time.GetElapsedTime(started), error: null);
            return new TokenGrant(token, NullIfEmpty(response.RefreshToken), NullIfEmpty(response.IdentityToken));
        }
        catch (Exception ex)
        {
            Telemetry.TokenRequestEnded(activity, context, _time.GetElapsedTime(started), ex);
            throw;
        }
    }

    /// <summary>Sends the request that <paramref name="send"/> makes, such as discovery, retrying transient failures like a token request.</summary>
    public async Task<TResponse> SendWithRetriesAsync<TResponse>(
        TokenRequestContext context,
        Func<HttpMessageInvoker, CancellationToken, Task<TResponse>> send,
        CancellationToken cancellationToken)
        where TResponse : ProtocolResponse
    {
        var invoker = CreateInvoker();
        return await BuildRetryPipeline<TResponse>(context).ExecuteAsync(
            static async (s, ct) => await s.send(s.invoker, ct).ConfigureAwait(false),
            (send, invoker),
            cancellationToken).ConfigureAwait(false);
    }

    private ResiliencePipeline<TResponse> BuildRetryPipeline<TResponse>(TokenRequestContext context)
        where TResponse : ProtocolResponse
    {
        var builder = new ResiliencePipelineBuilder<TResponse> { TimeProvider = _time };
        if (context.Retries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<TResponse>
            {
                MaxRetryAttempts = context.Retries,
                Delay = context.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => new ValueTask<bool>(args.Outcome.Result is { } r && IsTransient(r)),
                DelayGenerator = args => new ValueTask<TimeSpan?>(RetryAfter(args.Outcome.Result)),
                OnRetry = args =>
                {
                    Log.TokenRequestRetry(_logger, context.ClientName, Describe(args.Outcome.Result), args.AttemptNumber + 2, args.RetryDelay);
                    return default;
                },
            });
        }

        return builder.Build();
    }

    private static bool IsTransient(ProtocolResponse response) => response.ErrorType switch
    {
        // A refused certificate or an oversized answer will be the same on the next attempt.
        ResponseErrorType.Exception => response.Exception is HttpRequestException
        {
            HttpRequestError: not (HttpRequestError.ConfigurationLimitExceeded or HttpRequestError.SecureConnectionError),
        },
        ResponseErrorType.Http or ResponseErrorType.Protocol => response.HttpStatusCode is
            HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests or HttpStatusCode.InternalServerError
            or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout,
        _ => false,
    };

    private TimeSpan? RetryAfter(ProtocolResponse? response)
    {
        var header = response?.HttpResponse?.Headers.RetryAfter;
        var wait = header?.Delta ?? (header?.Date - _time.GetUtcNow());
        if (wait is null)
        {
            return null;
        }

        // A server asking for a long wait gets a bounded one: the caller is waiting for this token.
        return wait < TimeSpan.Zero ? TimeSpan.Zero
            : wait > ClientCredentialsDefaults.MaxRetryAfter ? ClientCredentialsDefaults.MaxRetryAfter
            : wait;
    }

    private static string Describe(ProtocolResponse? response) => response switch
    {
        null => "no response",
        { ErrorType: ResponseErrorType.Exception } => "network error",
        _ => $"HTTP {(int)response.HttpStatusCode}",
    };

    /// <summary>Tells whether the body is absent or a JSON object: Duende's <c>Error</c> and <c>IsError</c> throw on any other JSON.</summary>
    public static bool HasReadableBody(ProtocolResponse response) =>
        response.Json is not { ValueKind: not (JsonValueKind.Object or JsonValueKind.Undefined) };

    private AccessToken ReadToken(TokenResponse response, TokenRequestContext context)
    {
        if (!HasReadableBody(response))
        {
            throw Fail(context, response.HttpStatusCode, $"the server answered {Status(response.HttpStatusCode)} with JSON that is not a JSON object, so no token response");
        }

        if (response.IsError)
        {
            throw Fail(response, context);
        }

        if (string.IsNullOrEmpty(response.AccessToken))
        {
            throw Fail(context, response.HttpStatusCode, "the response has no access_token");
        }

        if (!IsHeaderSafe(response.AccessToken))
        {
            throw Fail(context, response.HttpStatusCode, "the access_token holds characters that cannot be sent in an Authorization header");
        }

        var tokenType = response.TokenType;
        if (context.DpopBound)
        {
            // Sending a token the server did not bind as DPoP would quietly downgrade the client to Bearer.
            if (!string.Equals(tokenType, DpopProofs.Scheme, StringComparison.OrdinalIgnoreCase))
            {
                throw Fail(context, response.HttpStatusCode,
                    $"the token_type is '{tokenType}', not DPoP: the server did not bind the token to the client's DPoP key. " +
                    "Enable DPoP for this client at the server, or turn Dpop.Enabled off");
            }

            tokenType = DpopProofs.Scheme;
        }
        else if (string.IsNullOrEmpty(tokenType) || string.Equals(tokenType, "Bearer", StringComparison.OrdinalIgnoreCase))
        {
            tokenType = "Bearer";
        }
        else
        {
            throw Fail(context, response.HttpStatusCode, $"the token_type '{tokenType}' is not supported (expected Bearer)");
        }

        var receivedAt = _time.GetUtcNow();
        var lifetime = Lifetime(response, context);
        var margin = TimeSpan.FromTicks(Math.Min(
            context.RefreshBeforeExpiry.Ticks,
            (long)(lifetime.Ticks * ClientCredentialsDefaults.MaxRefreshShareOfLifetime)));

        return new AccessToken(response.AccessToken, tokenType, receivedAt + lifetime, receivedAt + lifetime - margin,
            string.IsNullOrEmpty(response.Scope) ? context.RequestedScope : response.Scope);
    }

    private static TimeSpan Lifetime(TokenResponse response, TokenRequestContext context)
    {
        long? seconds = null;
        if (response.Json is { ValueKind: JsonValueKind.Object } json && json.TryGetProperty("expires_in", out var value))
        {
            if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n))
            {
                seconds = n;
            }
            else if (value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), out var s))
            {
                seconds = s;
            }
        }

        return seconds switch
        {
            null => context.DefaultLifetime < ClientCredentialsDefaults.MaxTokenLifetime ? context.DefaultLifetime : ClientCredentialsDefaults.MaxTokenLifetime,
            // Already expired by the server's own account: usable by the callers that asked, never cached.
            <= 0 => TimeSpan.Zero,
            _ => TimeSpan.FromSeconds(Math.Min(seconds.Value, (long)ClientCredentialsDefaults.MaxTokenLifetime.TotalSeconds)),
        };
    }

    private static bool IsHeaderSafe(string token)
    {
        foreach (var c in token)
        {
            if (c is < '!' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    private TokenRequestException Fail(TokenResponse response, TokenRequestContext context)
    {
        HttpStatusCode? status = response.HttpResponse is null ? null : response.HttpStatusCode;

        // RFC 6749 §5.2 allows the error body on a 401 too (invalid_client); Duende reads it only on a 400.
        var error = response.ErrorType switch
        {
            ResponseErrorType.Protocol => response.Error,
            ResponseErrorType.Http => response.TryGet("error"),
            _ => null,
        };

        var exception = response.ErrorType switch
        {
            _ when !string.IsNullOrEmpty(error) => new TokenRequestException(
                $"Client '{context.ClientName}' could not get a token from {context.Endpoint}: the server answered {Status(status)} " +
                $"with error '{error}'{(string.IsNullOrEmpty(response.ErrorDescription) ? "" : $" ({response.ErrorDescription})")}.",
                context.ClientName, context.Endpoint, status, error, response.ErrorDescription),
            ResponseErrorType.Exception when response.Exception is JsonException => new TokenRequestException(
                $"Client '{context.ClientName}' could not get a token from {context.Endpoint}: the server answered {Status(status)} " +
                "with a body that is not a JSON token response. Check that the endpoint is the token endpoint.",
                context.ClientName, context.Endpoint, status, innerException: response.Exception),
            ResponseErrorType.Exception when response.Exception is HttpRequestException { HttpRequestError: HttpRequestError.ConfigurationLimitExceeded } => new TokenRequestException(
                $"Client '{context.ClientName}' could not get a token from {context.Endpoint}: the response is larger than the token " +
                $"endpoint client's MaxResponseContentBufferSize ({ClientCredentialsDefaults.MaxResponseSize / 1024} KiB unless configured).",
                context.ClientName, context.Endpoint, status, innerException: response.Exception),
            ResponseErrorType.Exception => new TokenRequestException(
                $"Client '{context.ClientName}' could not reach the token endpoint {context.Endpoint}: {response.Exception?.Message}",
                context.ClientName, context.Endpoint, status, innerException: response.Exception),
            _ when status == HttpStatusCode.NotFound => new TokenRequestException(
                $"Client '{context.ClientName}' could not get a token: {context.Endpoint} answered 404 (Not Found). " +
                "Check TokenEndpoint, or the token_endpoint in the authority's discovery document.",
                context.ClientName, context.Endpoint, status),
            _ => new TokenRequestException(
                $"Client '{context.ClientName}' could not get a token from {context.Endpoint}: the server answered {Status(status)} without an OAuth error.",
                context.ClientName, context.Endpoint, status),
        };

        Log.TokenRequestFailed(_logger, context.ClientName, context.Endpoint, (int?)status, error);
        return exception;
    }

    private TokenRequestException Fail(TokenRequestContext context, HttpStatusCode status, string problem)
    {
        Log.TokenRequestFailed(_logger, context.ClientName, context.Endpoint, (int)status, null);
        return new TokenRequestException(
            $"Client '{context.ClientName}' could not use the answer of {context.Endpoint}: {problem}.",
            context.ClientName, context.Endpoint, status);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static string Status(HttpStatusCode? status) =>
        status is null ? "nothing" : $"{(int)status} ({status})";
}
