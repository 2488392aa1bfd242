namespace OAuthClient.Samples.OnBehalfOfSample;

/// <summary>What the front API needs: the authorization server, its own client, and the downstream API it calls.</summary>
/// <param name="Authority">The authorization server's issuer, for JwtBearer and for the token client's discovery.</param>
/// <param name="ClientId">The front API's client id, which is also the audience of the tokens it accepts.</param>
/// <param name="ClientSecret">The front API's client secret.</param>
/// <param name="Audience">The audience to ask the exchange for: the downstream API.</param>
/// <param name="Downstream">The downstream endpoint that <c>GET /profile</c> calls.</param>
internal sealed record FrontApiSettings(Uri Authority, string ClientId, string ClientSecret, string Audience, Uri Downstream)
{
    public override string ToString() => $"FrontApiSettings {{ Authority = {Authority}, ClientId = {ClientId}, ClientSecret = [redacted], Audience = {Audience}, Downstream = {Downstream} }}";
}
