using Netback.Daemon.Access;

namespace Netback.Tests.Daemon.Access;

/// <summary>The glob of Netback:Access rules: '*' any run, '?' one character, nothing else special.</summary>
public sealed class GlobTests
{
    [Theory]
    [InlineData("vif1.*", "vif1.0", true)]
    [InlineData("vif1.*", "vif1.", true)]
    [InlineData("vif1.*", "vif10.0", false)]
    [InlineData("web*", "web", true)]
    [InlineData("web*", "webfront", true)]
    [InlineData("web*", "xweb", false)]
    [InlineData("*", "", true)]
    [InlineData("", "", true)]
    [InlineData("", "a", false)]
    [InlineData("a?c", "abc", true)]
    [InlineData("a?c", "ac", false)]
    [InlineData("*.0", "vif7.0", true)]
    [InlineData("*.0", "vif7.01", false)]
    [InlineData("a*b*c", "aXbYbZc", true)]
    [InlineData("a*b*c", "aXbYcZ", false)]
    [InlineData("Web*", "web0", false)]
    [InlineData("[ab]", "a", false)]
    [InlineData("[ab]", "[ab]", true)]
    public void Matches_like_a_shell_glob(string pattern, string text, bool expected) =>
        Assert.Equal(expected, Glob.IsMatch(pattern, text));

    [Theory]
    [InlineData("00:16:3e:*", "00:16:3E:01:02:03")]
    [InlineData("00:16:3E:??:??:??", "00:16:3e:0a:0b:0c")]
    public void Ignores_case_for_MACs(string pattern, string mac)
    {
        Assert.True(Glob.IsMatch(pattern, mac, ignoreCase: true));
        Assert.False(Glob.IsMatch(pattern, "02:16:3e:01:02:03", ignoreCase: true));
    }

    [Fact]
    public void Many_stars_against_a_long_miss_stay_fast()
    {
        // The backtracking is bounded by the last '*' only: no exponential blow-up.
        string pattern = string.Concat(Enumerable.Repeat("*a", 20)) + "b";
        string text = new('a', 5000);
        var started = DateTime.UtcNow;
        Assert.False(Glob.IsMatch(pattern, text));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(2));
    }
}
