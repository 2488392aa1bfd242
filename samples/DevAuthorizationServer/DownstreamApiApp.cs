using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace OAuthClient.Samples;

/// <summary>
/// Builds the downstream API: a second protected API on its own origin that accepts only tokens for
/// <see cref="DevClients.DownstreamAudience"/>, which token exchange issues, and tells whom a token speaks for and who acts.
/// </summary>
internal static class DownstreamApiApp
{
    public const string WhoAmIPath = "downstream/whoami";

    public static WebApplication Build(DevAuthorizationServerOptions options, int port, Uri issuer, TokenLedger ledger, DevDpop dpop)
    {
        var app = DemoApiApp.BuildProtectedApi(options, port, issuer, ledger, dpop, DevClients.DownstreamAudience);
        app.MapGet("/" + WhoAmIPath, (ClaimsPrincipal user) => Results.Json(new DownstreamWhoAmI(
            user.FindFirst("sub")?.Value,
            Actor(user.FindFirst("act")),
            user.FindFirst("client_id")?.Value,
            [.. user.FindAll("scope").SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Order(StringComparer.Ordinal)])))
            .RequireAuthorization();
        return app;
    }

    // The act claim is a JSON object (RFC 8693 §4.1), which the JWT handler hands over as its JSON text.
    private static JsonElement? Actor(Claim? act)
    {
        if (act is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(act.Value);
        return document.RootElement.Clone();
    }
}
