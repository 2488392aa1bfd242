using System.Text.Json;
using System.Text.Json.Serialization;

namespace OAuthClient.Internal;

/// <summary>
/// Writes the parts of a key as a JSON array of strings, so that no part can run into its neighbour: <c>["a=b","c"]</c>
/// and <c>["a","b=c"]</c>, or <c>["app one","api"]</c> and <c>["app","one api"]</c>, stay apart whatever the values hold.
/// </summary>
internal static partial class KeyEncoding
{
    public static string Encode(IEnumerable<string?> parts) =>
        JsonSerializer.Serialize(parts.Select(p => p ?? "").ToArray(), KeyJson.Default.StringArray);

    [JsonSerializable(typeof(string[]), TypeInfoPropertyName = "StringArray")]
    private sealed partial class KeyJson : JsonSerializerContext;
}
