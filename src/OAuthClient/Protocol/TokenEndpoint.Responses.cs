using System.Globalization;
using System.Net;
using System.Text.Json;
using Duende.IdentityModel.Client;

namespace OAuthClient.Internal;

/// <summary>The token endpoint's reading of answers: tokens, lifetimes, transient failures and typed errors.</summary>
internal sealed partial class TokenEndpoint
{
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
        // A server asking for a long wait gets a bounded one: the caller is waiting for this token.
        var wait = RequestedWait(response);
        return wait > ProtocolDefaults.MaxRetryAfter ? ProtocolDefaults.MaxRetryAfter : wait;
    }

    /// <summary>Reads how long the server asked the client to wait (<c>Retry-After</c>, seconds or a date), unbounded but never negative.</summary>
    private TimeSpan? RequestedWait(ProtocolResponse? response)
    {
        var header = response?.HttpResponse?.Headers.RetryAfter;
        var wait = header?.Delta ?? (header?.Date - _time.GetUtcNow());
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
    }

    /// <summary>Marks <paramref name="exception"/> transient when <paramref name="response"/> is, with the server's <c>Retry-After</c>.</summary>
    private TokenRequestException Classified(TokenRequestException exception, ProtocolResponse response) =>
        IsTransient(response) ? exception.Transient(RequestedWait(response)) : exception;

    private static string Describe(ProtocolResponse? response) => response switch
    {
        null => "no response",
        { ErrorType: ResponseErrorType.Exception } => "network error",
        _ => $"HTTP {(int)response.HttpStatusCode}",
    };

    /// <summary>Tells whether the body is absent or a JSON object: Duende's <c>Error</c> and <c>IsError</c> throw on any other JSON.</summary>
    private static bool HasReadableBody(ProtocolResponse response) =>
        response.Json is not { ValueKind: not (JsonValueKind.Object or JsonValueKind.Undefined) };

    private AccessToken ReadToken(TokenResponse response, Uri endpoint, Grant grant)
    {
        if (!HasReadableBody(response))
        {
            throw Fail(endpoint, response.HttpStatusCode, $"the server answered {Status(response.HttpStatusCode)} with JSON that is not a JSON object, so no token response");
        }

        if (response.IsError)
        {
            throw Fail(response, endpoint, grant);
        }

        if (string.IsNullOrEmpty(response.AccessToken))
        {
            throw Fail(endpoint, response.HttpStatusCode, "the response has no access_token");
        }

        if (!IsHeaderSafe(response.AccessToken))
        {
            throw Fail(endpoint, response.HttpStatusCode, "the access_token holds characters that cannot be sent in an Authorization header");
        }

        // RFC 8693 §2.2.1: an exchange says what it issued. Anything but what was asked for (a refresh token, say, even one
        // the server calls Bearer) must not go to an API.
        if (grant.IssuedTokenType is { } expected && response.TryGet("issued_token_type") is { Length: > 0 } issued
            && !string.Equals(issued, expected, StringComparison.Ordinal))
        {
            throw Fail(endpoint, response.HttpStatusCode, $"the server issued a token of type '{issued}', not the '{expected}' asked for");
        }

        var tokenType = response.TokenType;
        if (Dpop is not null)
        {
            // Sending a token the server did not bind as DPoP would quietly downgrade the client to Bearer.
            if (!string.Equals(tokenType, DpopProofs.Scheme, StringComparison.OrdinalIgnoreCase))
            {
                throw Fail(endpoint, response.HttpStatusCode,
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
            throw Fail(endpoint, response.HttpStatusCode, $"the token_type '{tokenType}' is not supported (expected Bearer)");
        }

        var receivedAt = _time.GetUtcNow();
        var lifetime = Lifetime(response, _settings.DefaultTokenLifetime);
        var margin = TimeSpan.FromTicks(Math.Min(
            _settings.RefreshBeforeExpiry.Ticks,
            (long)(lifetime.Ticks * ProtocolDefaults.MaxRefreshShareOfLifetime)));

        return new AccessToken(response.AccessToken, tokenType, receivedAt + lifetime, receivedAt + lifetime - margin,
            string.IsNullOrEmpty(response.Scope) ? grant.RequestedScope : response.Scope);
    }

    private static TimeSpan Lifetime(TokenResponse response, TimeSpan defaultLifetime)
    {
        // Any JSON number (30, 30.5, 3.0e1), or a string holding one, as some servers send; anything else is "not said".
        double? seconds = null;
        if (response.Json is { ValueKind: JsonValueKind.Object } json && json.TryGetProperty("expires_in", out var value))
        {
            if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var n))
            {
                seconds = n;
            }
            else if (value.ValueKind == JsonValueKind.String
                && double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var s))
            {
                seconds = s;
            }
        }

        return seconds switch
        {
            null or double.NaN => defaultLifetime < ProtocolDefaults.MaxTokenLifetime ? defaultLifetime : ProtocolDefaults.MaxTokenLifetime,
            // Already expired by the server's own account: usable by the callers that asked, never cached.
            <= 0 => TimeSpan.Zero,
            _ => TimeSpan.FromSeconds(Math.Min(seconds.Value, ProtocolDefaults.MaxTokenLifetime.TotalSeconds)),
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

    private TokenRequestException Fail(TokenResponse response, Uri endpoint, Grant grant)
    {
        HttpStatusCode? status = response.HttpResponse is null ? null : response.HttpStatusCode;
        var (error, description) = ErrorOf(response);

        // The server's own words, less any secret of the request it may quote back (a refused subject token, say).
        description = grant.Redact(description);
        error = grant.Redact(error);
        var exception = response.ErrorType switch
        {
            _ when !string.IsNullOrEmpty(error) => Refused($"get {grant.Description} from {endpoint}", endpoint, status, error, description, grant.Explain(error)),
            ResponseErrorType.Exception when response.Exception is JsonException => new TokenRequestException(
                $"Client '{ClientName}' could not get a token from {endpoint}: the server answered {Status(status)} " +
                "with a body that is not a JSON token response. Check that the endpoint is the token endpoint.",
                ClientName, endpoint, status, innerException: response.Exception),
            ResponseErrorType.Exception when response.Exception is HttpRequestException { HttpRequestError: HttpRequestError.ConfigurationLimitExceeded } => new TokenRequestException(
                $"Client '{ClientName}' could not get a token from {endpoint}: the response is larger than the token " +
                $"endpoint client's MaxResponseContentBufferSize ({ProtocolDefaults.MaxResponseSize / 1024} KiB unless configured).",
                ClientName, endpoint, status, innerException: response.Exception),
            ResponseErrorType.Exception => new TokenRequestException(
                $"Client '{ClientName}' could not reach the token endpoint {endpoint}: {response.Exception?.Message}",
                ClientName, endpoint, status, innerException: response.Exception),
            _ when status == HttpStatusCode.NotFound => new TokenRequestException(
                $"Client '{ClientName}' could not get a token: {endpoint} answered 404 (Not Found). " +
                "Check TokenEndpoint, or the token_endpoint in the authority's discovery document.",
                ClientName, endpoint, status),
            _ => new TokenRequestException(
                $"Client '{ClientName}' could not get a token from {endpoint}: the server answered {Status(status)} without an OAuth error.",
                ClientName, endpoint, status),
        };

        if (error is not null && grant.ExpectedErrors.Contains(error))
        {
            Log.TokenRequestAnswered(_logger, ClientName, error);
        }
        else if (grant.OutlivesTransientFailures && IsTransient(response))
        {
            // The caller tries again and says so at its own level: not an error of the client yet.
            Log.TokenRequestFailedTransiently(_logger, ClientName, endpoint, (int?)status);
        }
        else
        {
            Log.TokenRequestFailed(_logger, ClientName, endpoint, (int?)status, error);
        }

        return Classified(exception, response);
    }

    /// <summary>
    /// Reads the OAuth <c>error</c> and <c>error_description</c> of an answer, or none. RFC 6749 §5.2 allows the error body on
    /// a 401 too (<c>invalid_client</c>); Duende reads it only on a 400.
    /// </summary>
    private static (string? Error, string? Description) ErrorOf(ProtocolResponse response) => response.ErrorType switch
    {
        ResponseErrorType.Protocol => (response.Error, response.TryGet("error_description")),
        ResponseErrorType.Http when HasReadableBody(response) => (response.TryGet("error"), response.TryGet("error_description")),
        _ => (null, null),
    };

    /// <summary>Makes the error of a server that refused with an OAuth error; <paramref name="attempt"/> says what was tried, and where.</summary>
    private TokenRequestException Refused(string attempt, Uri endpoint, HttpStatusCode? status, string error, string? description, string? meaning = null) => new(
        $"Client '{ClientName}' could not {attempt}: the server answered {Status(status)} " +
        $"with error '{error}'{(string.IsNullOrEmpty(description) ? "" : $" ({description})")}{(meaning is null ? "" : $": {meaning}")}.",
        ClientName, endpoint, status, error, description);

    private TokenRequestException Fail(Uri endpoint, HttpStatusCode status, string problem)
    {
        Log.TokenRequestFailed(_logger, ClientName, endpoint, (int)status, null);
        return new TokenRequestException(
            $"Client '{ClientName}' could not use the answer of {endpoint}: {problem}.",
            ClientName, endpoint, status);
    }

    private static string Status(HttpStatusCode? status) =>
        status is null ? "nothing" : $"{(int)status} ({status})";

    private TokenRequestException RedirectRefused(Uri endpoint, HttpStatusCode status, string? target)
    {
        Log.TokenRequestFailed(_logger, ClientName, endpoint, (int)status, "redirect");
        return new TokenRequestException(
            $"Client '{ClientName}': {endpoint} answered with a redirect ({(int)status}) to {target ?? "an unnamed location"}, which was not followed: " +
            "token, discovery and revocation requests never follow redirects, so credentials and tokens go nowhere else. " +
            "Configure the endpoint's final address.",
            ClientName, endpoint, status);
    }
}
