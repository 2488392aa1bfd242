using System.Net;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http;

namespace OAuthClient.Samples;

/// <summary>
/// The end-user verification page of the device flow: the user code (prefilled from <c>verification_uri_complete</c>),
/// an Approve and a Deny button with stable ids (<c>approve</c>, <c>deny</c>) for headless browsers, posting back.
/// </summary>
internal static class DevVerificationPage
{
    public static Task WriteFormAsync(HttpContext http, string? userCode, string? message)
    {
        var encoder = HtmlEncoder.Default;
        var body = $"""
            <h1>Sign in a device</h1>
            {(message is null ? "" : $"<p id=\"message\">{encoder.Encode(message)}</p>")}
            <form method="post" action="{encoder.Encode(http.Request.PathBase + http.Request.Path)}">
              <label for="user_code">Code shown on your device</label>
              <input id="user_code" name="user_code" value="{encoder.Encode(userCode ?? "")}" autocomplete="off">
              <button id="approve" name="approve" value="1" type="submit">Approve</button>
              <button id="deny" name="deny" value="1" type="submit">Deny</button>
            </form>
            """;
        return WriteAsync(http, HttpStatusCode.OK, body);
    }

    public static Task WriteResultAsync(HttpContext http, HttpStatusCode status, string text) =>
        WriteAsync(http, status, $"<h1 id=\"result\">{HtmlEncoder.Default.Encode(text)}</h1>");

    private static Task WriteAsync(HttpContext http, HttpStatusCode status, string body)
    {
        http.Response.StatusCode = (int)status;
        http.Response.ContentType = "text/html; charset=utf-8";
        http.Response.Headers.CacheControl = "no-store";
        return http.Response.WriteAsync($"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Device sign-in</title></head><body>{body}</body></html>");
    }
}
