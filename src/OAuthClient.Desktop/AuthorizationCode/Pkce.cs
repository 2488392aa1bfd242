using System.Security.Cryptography;
using System.Text;

namespace OAuthClient.Desktop;

/// <summary>Proof Key for Code Exchange (RFC 7636), S256 only: the plain method gives no protection against a stolen code.</summary>
internal static class Pkce
{
    public const string Method = "S256";

    /// <summary>Creates a fresh verifier: 32 random bytes, base64url-encoded to 43 characters.</summary>
    public static string CreateVerifier() => RandomValue(32);

    /// <summary>Computes BASE64URL(SHA256(ASCII(verifier))).</summary>
    public static string Challenge(string verifier) =>
        Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    /// <summary>Creates an unguessable base64url value for <c>state</c>, <c>nonce</c> and the verifier.</summary>
    public static string RandomValue(int bytes) => Base64UrlEncode(RandomNumberGenerator.GetBytes(bytes));

    /// <summary>Encodes base64url without padding (RFC 4648 §5), as RFC 7636 Appendix A asks.</summary>
    public static string Base64UrlEncode(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
