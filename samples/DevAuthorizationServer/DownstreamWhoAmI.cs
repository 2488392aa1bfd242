using System.Text.Json;
using System.Text.Json.Serialization;

namespace OAuthClient.Samples;

/// <summary>The downstream API's answer to <c>GET /downstream/whoami</c>: whom an exchanged token speaks for, and who acts for them.</summary>
/// <param name="Subject">The token's <c>sub</c>: the subject token's subject, such as the user.</param>
/// <param name="Actor">The token's <c>act</c> claim (RFC 8693 §4.1), such as <c>{"sub":"front-api"}</c>; <see langword="null"/> when no actor token was exchanged.</param>
/// <param name="ClientId">The client that exchanged the token.</param>
/// <param name="Scopes">The scopes the token grants, sorted.</param>
public sealed record DownstreamWhoAmI(
    [property: JsonPropertyName("sub")] string? Subject,
    [property: JsonPropertyName("act")] JsonElement? Actor,
    [property: JsonPropertyName("client_id")] string? ClientId,
    [property: JsonPropertyName("scopes")] IReadOnlyList<string> Scopes);
