namespace OAuthClient.Samples;

/// <summary>The demo API's answer to <c>GET /whoami</c>: who the access token speaks for.</summary>
/// <param name="ClientId">The client the token was issued to.</param>
/// <param name="Subject">The token's subject: the client itself for client credentials, the user otherwise.</param>
/// <param name="Scopes">The scopes the token grants, sorted.</param>
public sealed record WhoAmI(string? ClientId, string? Subject, IReadOnlyList<string> Scopes);
