using System.Net;
using System.Text;

namespace OAuthClient.Desktop;

/// <summary>The small pages the loopback listener answers the browser with. Server-sent text is HTML-encoded.</summary>
internal static class CallbackPage
{
    public static byte[] Success() => Response(200, "OK", "Signed in", "You are signed in. You can close this tab and return to the application.");

    public static byte[] Failure(string error, string? description)
    {
        var words = error switch
        {
            "access_denied" => "Access was not granted, so the application is not signed in.",
            "login_required" or "consent_required" or "interaction_required" => "The sign-in needs you to sign in or consent, and could not ask.",
            "temporarily_unavailable" or "server_error" => "The sign-in server had a problem. Please try again later.",
            _ => "The sign-in did not complete.",
        };
        var detail = $"The server said: {error}{(string.IsNullOrEmpty(description) ? "" : $" ({description})")}.";
        return Response(200, "OK", "Sign-in failed", $"{words} You can close this tab and return to the application.", detail);
    }

    public static byte[] WrongState() => Response(
        400, "Bad Request", "Sign-in response not recognised",
        "This response does not belong to the sign-in the application is waiting for. Start the sign-in again from the application.");

    public static byte[] NotFound() => Response(404, "Not Found", "Not found", "Nothing here.");

    public static byte[] BadRequest() => Response(400, "Bad Request", "Bad request", "The request could not be read.");

    private static byte[] Response(int status, string reason, string title, string message, string? detail = null)
    {
        var html = new StringBuilder()
            .Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(WebUtility.HtmlEncode(title))
            .Append("</title><style>body{font-family:system-ui,sans-serif;margin:4em auto;max-width:36em;line-height:1.5}</style></head><body><h1>")
            .Append(WebUtility.HtmlEncode(title)).Append("</h1><p>").Append(WebUtility.HtmlEncode(message)).Append("</p>");
        if (detail is not null)
        {
            html.Append("<p><small>").Append(WebUtility.HtmlEncode(detail)).Append("</small></p>");
        }

        var body = Encoding.UTF8.GetBytes(html.Append("</body></html>").ToString());
        var head = Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {body.Length}\r\n" +
            "Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\n" +
            "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\nConnection: close\r\n\r\n");
        return [.. head, .. body];
    }
}
