using System.Text;
using ZXing;
using ZXing.Common;
using ZXing.QrCode;

namespace OAuthClient.Desktop.Tests.DeviceCode;

/// <summary>
/// The default device prompt: the line users read, and the QR code below it on a terminal, read back by a decoder that is
/// not the encoder; redirected output gets the line alone.
/// </summary>
public sealed class DeviceCodeConsoleTests
{
    private static readonly Uri Verification = new("https://login.example.com/device");
    private static readonly Uri Complete = new("https://login.example.com/device?user_code=WDJB-MJHT");
    private static readonly DateTimeOffset ExpiresAt = new(2026, 11, 25, 9, 10, 0, TimeSpan.Zero);

    [Fact]
    public async Task WriteAsync_Redirected_OneLineWithAddressAndCodeAndNoQrCode()
    {
        var output = await WriteAsync(new DeviceCodePrompt("WDJB-MJHT", Verification, Complete, ExpiresAt), drawQrCode: false);

        var line = Assert.Single(Lines(output));
        Assert.Contains($"open {Verification} on any device and enter the code WDJB-MJHT (or open {Complete}).", line, StringComparison.Ordinal);
        Assert.DoesNotContain("scan", line, StringComparison.Ordinal);
        Assert.DoesNotContain(output, c => TerminalQrCode.Blocks.Contains(c, StringComparison.Ordinal));
    }

    [Fact]
    public async Task WriteAsync_Terminal_QrCodeOfTheCompleteAddressThatAPhoneCanRead()
    {
        var output = await WriteAsync(new DeviceCodePrompt("WDJB-MJHT", Verification, Complete, ExpiresAt), drawQrCode: true);

        var lines = Lines(output);
        Assert.Contains("Or scan the code below with a phone.", lines[0], StringComparison.Ordinal);
        Assert.Equal(Complete.AbsoluteUri, Decode(lines[1..]));
    }

    [Fact]
    public async Task WriteAsync_ServerWithoutCompleteAddress_QrCodeOfTheVerificationAddress()
    {
        var output = await WriteAsync(new DeviceCodePrompt("WDJB-MJHT", Verification, null, ExpiresAt), drawQrCode: true);

        Assert.Equal(Verification.AbsoluteUri, Decode(Lines(output)[1..]));
    }

    [Fact]
    public async Task WriteAsync_Terminal_CompactSquareCodeInsideAFourModuleQuietZone()
    {
        var output = await WriteAsync(new DeviceCodePrompt("WDJB-MJHT", Verification, Complete, ExpiresAt), drawQrCode: true);

        var modules = Modules(Lines(output)[1..]);
        var size = modules.GetLength(0);
        // A version 1 to 40 symbol (17 + 4 v modules) and 4 light modules on every side; two rows a line.
        Assert.Equal(0, (size - 8 - 17) % 4);
        Assert.InRange((size - 8 - 17) / 4, 1, 4);
        Assert.Equal((size + 1) / 2, Lines(output).Length - 1);
        for (var i = 0; i < size; i++)
        {
            for (var q = 0; q < 4; q++)
            {
                Assert.True(modules[q, i] && modules[size - 1 - q, i] && modules[i, q] && modules[i, size - 1 - q], $"quiet zone at {q}, {i}");
            }
        }

        // The finder pattern's dark ring starts right inside the quiet zone.
        Assert.False(modules[4, 4]);
    }

    [Fact]
    public async Task WriteAsync_AddressTooLongForACompactCode_LineWithoutQrCode()
    {
        var longAddress = new Uri("https://login.example.com/device?user_code=WDJB-MJHT&state=" + new string('a', TerminalQrCode.MaxLength));

        var output = await WriteAsync(new DeviceCodePrompt("WDJB-MJHT", Verification, longAddress, ExpiresAt), drawQrCode: true);

        var line = Assert.Single(Lines(output));
        Assert.DoesNotContain("scan", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("utf-8", true)]
    [InlineData("utf-16", true)]
    [InlineData("us-ascii", false)]
    [InlineData("iso-8859-1", false)]
    public void CanDrawBlocks_ByConsoleEncoding_OnlyWhereTheBlocksSurvive(string encoding, bool expected) =>
        Assert.Equal(expected, DeviceCodeConsole.CanDrawBlocks(Encoding.GetEncoding(encoding)));

    private static async Task<string> WriteAsync(DeviceCodePrompt prompt, bool drawQrCode)
    {
        using var writer = new StringWriter { NewLine = "\n" };
        await DeviceCodeConsole.WriteAsync(prompt, writer, drawQrCode, CancellationToken.None);
        return writer.ToString();
    }

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Reads half-block lines back into modules: true is light (drawn), two rows a line.</summary>
    private static bool[,] Modules(string[] lines)
    {
        var width = lines[0].Length;
        Assert.All(lines, l => Assert.Equal(width, l.Length));
        var modules = new bool[width, width];
        for (var row = 0; row < width; row++)
        {
            for (var x = 0; x < width; x++)
            {
                var c = lines[row / 2][x];
                Assert.Contains(c, "█▀▄ ");
                modules[row, x] = c == '█' || (row % 2 == 0 ? c == '▀' : c == '▄');
            }
        }

        return modules;
    }

    private static string? Decode(string[] lines)
    {
        const int Scale = 4;
        var modules = Modules(lines);
        var size = modules.GetLength(0);
        var pixels = new byte[size * Scale * size * Scale];
        for (var y = 0; y < size * Scale; y++)
        {
            for (var x = 0; x < size * Scale; x++)
            {
                pixels[(y * size * Scale) + x] = modules[y / Scale, x / Scale] ? (byte)255 : (byte)0;
            }
        }

        // Dark modules on light, as a scanner expects: no inverted reading is asked for.
        var image = new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(pixels, size * Scale, size * Scale, RGBLuminanceSource.BitmapFormat.Gray8)));
        return new QRCodeReader().decode(image, new Dictionary<DecodeHintType, object> { [DecodeHintType.PURE_BARCODE] = true })?.Text;
    }
}
