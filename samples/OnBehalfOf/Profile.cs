namespace OAuthClient.Samples.OnBehalfOfSample;

/// <summary>The front API's answer to <c>GET /profile</c>.</summary>
/// <param name="Caller">The <c>sub</c> of the token the front API was called with: the user.</param>
/// <param name="Downstream">What the downstream API answered, as it answered it.</param>
internal sealed record Profile(string? Caller, string Downstream);
