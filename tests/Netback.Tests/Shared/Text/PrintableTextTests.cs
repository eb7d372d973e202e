using CsCheck;
using Ring.Shared.Text;

namespace Netback.Tests.Shared.Text;

/// <summary>A peer's text becomes one printable line; printable text is left as it is; escaping twice changes nothing.</summary>
public sealed class PrintableTextTests
{
    [Theory]
    [InlineData("a\nb", "a\\nb")]
    [InlineData("a\r\nb", "a\\r\\nb")]
    [InlineData("tab\there", "tab\\there")]
    [InlineData("\u001b[31mred", "\\x1b[31mred")]
    [InlineData("nul\0", "nul\\x00")]
    [InlineData("del\u007f", "del\\x7f")]
    [InlineData("nel\u0085csi\u009b", "nel\\x85csi\\x9b")]
    [InlineData("ls\u2028ps\u2029", "ls\\u2028ps\\u2029")]
    [InlineData("rlo\u202eiso\u2066", "rlo\\u202eiso\\u2066")]
    [InlineData("x\n<3>netbackd: forged", "x\\n<3>netbackd: forged")]
    public void Control_characters_become_visible_escapes(string raw, string escaped)
    {
        Assert.Equal(escaped, PrintableText.Escape(raw));
        Assert.True(PrintableText.IsPrintable(escaped));
        Assert.False(PrintableText.IsPrintable(raw));
    }

    [Theory]
    [InlineData("")]
    [InlineData("vif1.0 mac 00:16:3e:01:02:03")]
    [InlineData("é中✓ and a literal \\n")]
    public void Printable_text_is_returned_as_it_is(string text)
    {
        Assert.Same(text, PrintableText.Escape(text));
        Assert.True(PrintableText.IsPrintable(text));
    }

    [Fact]
    public void Any_text_escapes_to_one_printable_line_and_escaping_again_changes_nothing() =>
        Gen.String.Sample(s =>
        {
            string once = PrintableText.Escape(s);
            Assert.True(PrintableText.IsPrintable(once));
            Assert.DoesNotContain('\n', once);
            Assert.Equal(once, PrintableText.Escape(once));
        });
}
