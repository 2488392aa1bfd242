using Microsoft.Extensions.DependencyInjection;
using OAuthClient.AspNetCore;

namespace OAuthClient;

/// <summary>Connects OAuthClient's token exchange to ASP.NET Core: the caller of the incoming request is the user a downstream call is for.</summary>
public static class OAuthClientAspNetCoreExtensions
{
    /// <summary>
    /// Makes the client's token exchange use the incoming request's bearer token as the subject token, so each downstream
    /// request carries a token for the user who called this API.
    /// </summary>
    /// <param name="builder">The builder of an HttpClient with <c>AddTokenExchange</c>.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// Registers <c>IHttpContextAccessor</c>. A request sent outside an incoming request, for one that did not authenticate
    /// (an anonymous endpoint), or for one without a bearer token, fails with <see cref="MissingSubjectTokenException"/> and is not sent. Incoming DPoP-bound tokens are refused the same
    /// way: their exchange would need the caller's key.
    /// </remarks>
    public static IHttpClientBuilder UseIncomingAccessToken(this IHttpClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        builder.Services.AddHttpContextAccessor();
        var name = builder.Name;
        return builder.UseSubjectTokenSource(sp => new IncomingAccessTokenSource(sp.GetRequiredService<Microsoft.AspNetCore.Http.IHttpContextAccessor>(), name));
    }
}
