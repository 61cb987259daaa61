namespace IsrProxy.LoadTool.Tests;

public sealed class RecordsTests
{
    [Fact]
    public void Parse_ReadsEveryKeyValuePair_AndMissingFieldsAreEmptyAndNaN()
    {
        var record = ResultRecord.Parse("kind=hit target=isr rps=81208.5 p99_ms=2.130 classes=STALE:20");

        Assert.Equal("hit", record["kind"]);
        Assert.Equal(81208.5, record.Number("rps"));
        Assert.Equal("STALE:20", record["classes"]);
        Assert.True(record.Is("target", "isr"));
        Assert.False(record.Is("target", "nginx"));
        Assert.Equal("", record["missing"]);
        Assert.True(double.IsNaN(record.Number("missing")));
        Assert.True(double.IsNaN(record.Number("kind")));
    }

    [Fact]
    public void Parse_KeepsEverythingAfterTheFirstEquals_AndSkipsPartsWithoutAKey()
    {
        var record = ResultRecord.Parse("kind=note  =orphan text=a=b");

        Assert.Equal("a=b", record["text"]);
        Assert.Equal("note", record["kind"]);
        Assert.Equal("", record[""]);
    }

    [Theory]
    [InlineData(new[] { 3.0, 1.0, 2.0 }, 2.0)]
    [InlineData(new[] { 4.0, 1.0, 3.0, 2.0 }, 2.5)]
    [InlineData(new[] { 1.0, double.NaN, 9.0, 2.0 }, 2.0)]
    [InlineData(new[] { 7.0 }, 7.0)]
    public void Median_OfTheNumbers_IgnoringNaN(double[] values, double expected) =>
        Assert.Equal(expected, ResultSet.Median(values));

    [Fact]
    public void Median_OfNothing_IsNaN()
    {
        Assert.True(double.IsNaN(ResultSet.Median([])));
        Assert.True(double.IsNaN(ResultSet.Median([double.NaN])));
    }

    [Fact]
    public void Of_FiltersByKindAndFields_AndValuesKeepTheOrderOfMeasurement()
    {
        var set = Set(
            "kind=hit phase=identity set=s1000 target=nginx",
            "kind=hit phase=identity set=s1000 target=isr",
            "kind=hit phase=browser set=l1000 target=isr",
            "kind=paced phase=identity set=s1000 target=varnish",
            "kind=hit phase=identity set=l1000 target=nginx");

        Assert.Equal(["nginx", "isr"], set.Values("hit", "target", ("phase", "identity"), ("set", "s1000")));
        Assert.Equal(["s1000", "l1000"], set.Values("hit", "set"));
        Assert.Single(set.Of("paced"));
        Assert.Empty(set.Of("hit", ("target", "varnish")));
    }

    [Fact]
    public void Load_KeepsOnlyRecordLines_AndAMissingFileIsAnEmptySet()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(path, ["kind=hit target=isr", "== hit target=nginx", "", "kind=miss target=origin"]);
            var set = ResultSet.Load(path);
            Assert.Equal(["isr"], set.Values("hit", "target"));
            Assert.Single(set.Of("miss"));
        }
        finally
        {
            File.Delete(path);
        }

        Assert.Empty(ResultSet.Load(path).Of("hit"));
    }

    internal static ResultSet Set(params string[] lines) => new(lines.Select(ResultRecord.Parse).ToList());
}
