namespace OAuthClient.Desktop.Tests.Pkce;

public sealed class PkceTests
{
    [Fact]
    public void Challenge_Rfc7636AppendixBVerifier_MatchesPublishedChallenge()
    {
        var challenge = Desktop.Pkce.Challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");

        Assert.Equal("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", challenge);
    }

    [Fact]
    public void CreateVerifier_TwoCalls_FreshUnreservedValuesOf43Characters()
    {
        var first = Desktop.Pkce.CreateVerifier();
        var second = Desktop.Pkce.CreateVerifier();

        Assert.NotEqual(first, second);
        Assert.All([first, second], v => Assert.Matches("^[A-Za-z0-9_-]{43}$", v));
    }
}
