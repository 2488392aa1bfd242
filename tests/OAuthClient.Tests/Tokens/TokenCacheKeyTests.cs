using System.Security.Cryptography;
using OAuthClient.Internal;

namespace OAuthClient.Tests.Tokens;

/// <summary>The keys of a token exchange's cache: a subject's digest, its type and the settings version, all compared.</summary>
public sealed class TokenCacheKeyTests
{
    private static readonly object Scope = new();

    [Fact]
    public void Equals_SameDigestKindAndScope_Equal()
    {
        var digest = SHA256.HashData("alice"u8);

        Assert.Equal(new TokenCacheKey("c", Scope, "k", digest), new TokenCacheKey("c", Scope, "k", digest));
        Assert.Equal(new TokenCacheKey("c", Scope, "k", digest).GetHashCode(), new TokenCacheKey("c", Scope, "k", digest).GetHashCode());
    }

    [Theory]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(24)]
    [InlineData(31)]
    public void Equals_DigestsDifferPastTheHashCode_NotEqual(int index)
    {
        // The same first 8 bytes give the same hash code: equality must look at all 32.
        var one = SHA256.HashData("alice"u8);
        var other = (byte[])one.Clone();
        other[index] ^= 1;
        var a = new TokenCacheKey("c", Scope, "k", one);
        var b = new TokenCacheKey("c", Scope, "k", other);

        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Equals_OtherScopeOrKind_NotEqual()
    {
        var digest = SHA256.HashData("alice"u8);
        var key = new TokenCacheKey("c", Scope, "k", digest);

        Assert.NotEqual(key, new TokenCacheKey("c", new object(), "k", digest));
        Assert.NotEqual(key, new TokenCacheKey("c", Scope, "other", digest));
        Assert.NotEqual(key, new TokenCacheKey("c", "k"));
    }

    [Fact]
    public void Equals_TwoClientKeysOfOneName_NotEqual()
    {
        // One key per version of a client's options: a new version must never find the old version's tokens.
        var first = new TokenCacheKey("orders");

        Assert.NotEqual(first, new TokenCacheKey("orders"));
        Assert.Equal(first, first);
        Assert.NotEqual(first, new TokenCacheKey("orders", "1"));
        Assert.NotEqual(new TokenCacheKey("orders", "1"), first);
    }
}
