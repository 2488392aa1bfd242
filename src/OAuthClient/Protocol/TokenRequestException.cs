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
}
