using System.Net;

namespace OAuthClient;

/// <summary>The exception thrown when no access token could be had: the server refused, failed or could not be reached.</summary>
/// <remarks>
/// The message names the client, the endpoint and what went wrong; it never holds a secret or a token. It is not an
/// <see cref="HttpRequestException"/>, on purpose: resilience handlers (<c>AddStandardResilienceHandler</c>, Polly's
/// HTTP predicates) retry those as transient, and a wrong secret or <c>invalid_client</c> is not. Transient token
/// endpoint failures were already retried inside (<c>TokenRequestRetries</c>) before this is thrown.
/// </remarks>
public sealed class TokenRequestException : Exception
{
    internal TokenRequestException(
        string message,
        string clientName,
        Uri? endpoint,
        HttpStatusCode? statusCode = null,
        string? error = null,
        string? errorDescription = null,
        Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        ClientName = clientName;
        Endpoint = endpoint;
        Error = error;
        ErrorDescription = errorDescription;
    }

    /// <summary>Gets the HTTP status code the server answered, or <see langword="null"/> when none arrived.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>Gets the name of the client whose token request failed.</summary>
    public string ClientName { get; }

    /// <summary>Gets the endpoint that was called: the token endpoint, or the authority when discovery failed.</summary>
    public Uri? Endpoint { get; }

    /// <summary>Gets the OAuth <c>error</c> code the server returned, such as <c>invalid_client</c>.</summary>
    public string? Error { get; }

    /// <summary>Gets the OAuth <c>error_description</c> the server returned.</summary>
    public string? ErrorDescription { get; }

    /// <summary>
    /// Gets whether the failure may pass by itself: no answer in time, a network error, or 408, 429, 500, 502, 503 or 504,
    /// by the token endpoint's one reading of transient failures (the one its retries use).
    /// </summary>
    /// <remarks>Internal: a flow that waits anyway (a device sign-in polling) backs off and goes on instead of failing.</remarks>
    internal bool IsTransient { get; private set; }

    /// <summary>Gets how long the server asked the client to wait (<c>Retry-After</c>), when it said so; never negative.</summary>
    internal TimeSpan? RetryAfter { get; private set; }

    /// <summary>Marks this failure as transient, with the server's <c>Retry-After</c> when it sent one.</summary>
    /// <returns>This exception, to throw.</returns>
    internal TokenRequestException Transient(TimeSpan? retryAfter = null)
    {
        IsTransient = true;
        RetryAfter = retryAfter;
        return this;
    }
}
