namespace OAuthClient;

/// <summary>What a look at the shared cache found: a token, nothing, or a cache that did not answer.</summary>
internal readonly record struct SharedRead(AccessToken? Token, bool Unavailable)
{
    public static SharedRead Miss => default;

    public static SharedRead Failed => new(null, Unavailable: true);
}
