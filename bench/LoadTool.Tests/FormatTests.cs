namespace IsrProxy.LoadTool.Tests;

public sealed class FormatTests
{
    [Theory]
    [InlineData("s1000", "1,000 × 20 KB")]
    [InlineData("l1000", "1,000 × 200 KB")]
    [InlineData("s100000", "100,000 × 20 KB")]
    [InlineData("x", "x")]
    [InlineData("sabc", "sabc")]
    public void PageSet_NamesCountAndPageSize(string set, string expected) => Assert.Equal(expected, Format.PageSet(set));

    [Fact]
    public void MissingFiguresAreADash()
    {
        Assert.Equal("—", Format.Ratio(double.NaN));
        Assert.Equal("—", Format.Ratio(double.PositiveInfinity));
        Assert.Equal("—", Format.Whole(double.NaN));
        Assert.Equal("—", Format.Percent(double.NaN));
        Assert.Equal("—", Format.CpuSplit(1, double.NaN));
    }

    [Fact]
    public void Figures_AreInvariant()
    {
        Assert.Equal("1.45×", Format.Ratio(1.4512));
        Assert.Equal("135,858", Format.Whole(135_858.2));
        Assert.Equal("98%", Format.Percent(0.98));
        Assert.Equal("2.13", Format.Ms(2.131));
        Assert.Equal("12.5", Format.Ms(12.51));
        Assert.Equal("2.6 + 7.3", Format.CpuSplit(2.61, 7.29));
    }

    [Fact]
    public void Percentile_IsNearestRank()
    {
        var latencies = new Latencies();
        Assert.True(double.IsNaN(latencies.Percentile(50)));
        for (var i = 1; i <= 100; i++)
        {
            latencies.Add(TimeSpan.FromMilliseconds(101 - i));
        }

        Assert.Equal(50, latencies.Percentile(50));
        Assert.Equal(99, latencies.Percentile(99));
        Assert.Equal(100, latencies.Percentile(100));
        Assert.Equal(1, latencies.Percentile(0));
    }

    [Fact]
    public void CommandLine_TakesNameValuePairs_AndRejectsAnythingElse()
    {
        var options = CommandLine.Parse(["--url", "http://127.0.0.1:1", "--count", "20"]);

        Assert.Equal("http://127.0.0.1:1", options.Required("url"));
        Assert.Equal(20, options.Int("count", 5));
        Assert.Equal(5, options.Int("keys", 5));
        Assert.Null(options.Optional("bdn"));
        Assert.Throws<ArgumentException>(() => options.Required("out"));
        Assert.Throws<ArgumentException>(() => CommandLine.Parse(["url", "x"]));
        Assert.Throws<ArgumentException>(() => CommandLine.Parse(["--url"]));
        Assert.Throws<ArgumentException>(() => CommandLine.Parse(["--count", "-1"]).Int("count", 1));
    }
}
