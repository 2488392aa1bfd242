namespace OAuthClient;

/// <summary>
/// The exception thrown when a token-exchange HttpClient sends a request for which there is no subject token: no user to
/// act for (a call made outside an incoming request, or one that carried no usable token). Nothing is sent.
/// </summary>
public sealed class MissingSubjectTokenException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="MissingSubjectTokenException"/> class.</summary>
    /// <param name="clientName">The name of the HttpClient whose request had no subject token.</param>
    /// <param name="reason">Why there is none; never the token itself.</param>
    public MissingSubjectTokenException(string clientName, string reason)
        : base($"OAuthClient token exchange for HttpClient '{clientName}': the request has no subject token to exchange. {reason}")
    {
        ClientName = clientName;
    }

    /// <summary>Gets the name of the HttpClient whose request had no subject token.</summary>
    public string ClientName { get; }
}
