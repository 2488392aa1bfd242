using QRCoder;

namespace OAuthClient.Desktop;

/// <summary>
/// A QR code of a verification address for a terminal: two modules a character with the half-block characters
/// (<c>█ ▀ ▄</c>), light modules drawn, for the usual dark background, inside the 4-module quiet zone a scanner needs.
/// </summary>
internal static class TerminalQrCode
{
    /// <summary>
    /// The longest text drawn. A verification address is short; a longer one (a server's choice) would make a code of a
    /// hundred lines or more that fills the terminal and that no phone reads from a screen.
    /// </summary>
    public const int MaxLength = 256;

    /// <summary>The characters a QR code is drawn with: a terminal must be able to show them.</summary>
    public const string Blocks = "█▀▄";

    /// <summary>Draws <paramref name="text"/> as a QR code, one line per two rows of modules, or returns <see langword="null"/> when it is too long.</summary>
    public static string? Render(string text)
    {
        if (text.Length > MaxLength)
        {
            return null;
        }

        // Error correction L: the smallest code; a terminal draws it sharp, with none of a print's smudges to correct.
        using var data = QRCodeGenerator.GenerateQrCode(text, QRCodeGenerator.ECCLevel.L);
        using var drawing = new AsciiQRCode(data);
        return drawing.GetGraphicSmall(drawQuietZones: true, invert: false, endOfLine: "\n");
    }
}
