namespace OAuthClient.Desktop;

/// <summary>How the authorization server sends its response to the loopback listener.</summary>
public enum AuthorizationResponseMode
{
    /// <summary>In the query of a redirect (GET); the default of the code flow.</summary>
    Query = 0,

    /// <summary>In a form the browser posts (<c>response_mode=form_post</c>), so the code never sits in a URL.</summary>
    FormPost = 1,
}
