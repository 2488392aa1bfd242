using Microsoft.AspNetCore.Http;

namespace OAuthClient.AspNetCore;

/// <summary>
/// Takes the subject token from the incoming ASP.NET Core request: its <c>Authorization: Bearer</c> token, once the request
/// has authenticated (<c>HttpContext.User</c>; JwtBearer validated that token). A DPoP-bound
/// incoming token is refused: exchanging it would take a proof from the caller's key, which this service does not hold.
/// </summary>
internal sealed class IncomingAccessTokenSource : ISubjectTokenSource
{
    private const string Bearer = "Bearer ";

    private readonly IHttpContextAccessor _accessor;
    private readonly string _clientName;

    // The header value last read and the token cut from it: the requests one incoming request makes downstream read the
    // same header string, so they share one token string instead of cutting one each.
    private Memo? _last;

    public IncomingAccessTokenSource(IHttpContextAccessor accessor, string clientName)
    {
        _accessor = accessor;
        _clientName = clientName;
    }

    public SubjectToken? GetSubjectToken(HttpRequestMessage request)
    {
        // Only the token of a request that authenticated: on an anonymous endpoint any caller's string would otherwise be
        // exchanged with this service's credentials.
        if (_accessor.HttpContext is not { User.Identity.IsAuthenticated: true } context)
        {
            return null;
        }

        var values = context.Request.Headers.Authorization;
        if (values.Count != 1 || values[0] is not { } header)
        {
            // None, or several Authorization headers: no single user to act for.
            return null;
        }

        if (Volatile.Read(ref _last) is { } last && ReferenceEquals(last.Header, header))
        {
            return new SubjectToken(last.Token);
        }

        if (!header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase))
        {
            if (header.StartsWith("DPoP ", StringComparison.OrdinalIgnoreCase))
            {
                throw new MissingSubjectTokenException(
                    _clientName,
                    "The incoming request carries a DPoP-bound token, which this service cannot exchange: the authorization server " +
                    "would need a proof from the caller's key. Let callers send Bearer tokens to this API, or exchange on their side.");
            }

            return null;
        }

        var token = header.AsSpan(Bearer.Length).Trim();
        if (token.IsEmpty)
        {
            return null;
        }

        var memo = new Memo(header, token.ToString());
        Volatile.Write(ref _last, memo);
        return new SubjectToken(memo.Token);
    }

    private sealed record Memo(string Header, string Token)
    {
        public override string ToString() => "Memo { [redacted] }";
    }
}
