using System.Security.Cryptography;
using System.Text;

namespace OAuthClient;

/// <summary>Turns a client's cross-process key into a shared-cache key that reveals none of its settings.</summary>
internal static class SharedTokenKey
{
    public static string Create(string prefix, string sharedKey) =>
        prefix + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(sharedKey)));
}
