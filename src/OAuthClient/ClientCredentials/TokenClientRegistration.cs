namespace OAuthClient;

/// <summary>Marks a configured client-credentials token client; one per name, so unknown names are told apart.</summary>
internal sealed record TokenClientRegistration(string Name);
