using IsrProxy.Storage;

namespace IsrProxy.Tests.Unit.Storage;

public sealed class TagClockTests
{
    private static readonly DateTimeOffset T0 = Entries.T0;

    [Fact]
    public void Evaluate_NoStamps_IsUntouched()
    {
        var clock = new TagClock();

        Assert.Equal(default, clock.Evaluate(ClockKeys.For("/a", ["x"]), T0));
    }

    [Fact]
    public void MarkStale_AfterRender_MakesStale_BeforeRender_DoesNot()
    {
        var clock = new TagClock();
        clock.MarkStale(ClockKeys.Tag("blog"), T0.AddSeconds(5));

        Assert.Equal(T0.AddSeconds(5), clock.Evaluate(ClockKeys.For("/a", ["blog"]), T0).StaleSince);
        Assert.Null(clock.Evaluate(ClockKeys.For("/a", ["blog"]), T0.AddSeconds(6)).StaleSince);
        Assert.Null(clock.Evaluate(ClockKeys.For("/a", ["other"]), T0).StaleSince);
    }

    [Fact]
    public void Stamp_AtTheRenderStart_Wins()
    {
        var clock = new TagClock();
        clock.MarkExpired(ClockKeys.Tag("t"), T0);

        Assert.True(clock.Evaluate(ClockKeys.For("/a", ["t"]), T0).Expired);  // ties lose: a purge during a render is kept
    }

    [Fact]
    public void PathAndSubtreeStamps_ReachTheRightEntries()
    {
        var clock = new TagClock();
        clock.MarkStale(ClockKeys.Subtree("/blog"), T0.AddSeconds(1));
        clock.MarkExpired(ClockKeys.Path("/shop/a/"), T0.AddSeconds(1));

        Assert.NotNull(clock.Evaluate(ClockKeys.For("/blog", []), T0).StaleSince);
        Assert.NotNull(clock.Evaluate(ClockKeys.For("/blog/2026/post", []), T0).StaleSince);
        Assert.Null(clock.Evaluate(ClockKeys.For("/blogroll", []), T0).StaleSince);
        Assert.True(clock.Evaluate(ClockKeys.For("/shop/a", []), T0).Expired);
        Assert.False(clock.Evaluate(ClockKeys.For("/shop/a/b", []), T0).Expired);
    }

    [Fact]
    public void Stamps_OnlyMoveForward()
    {
        var clock = new TagClock();
        clock.MarkStale(ClockKeys.Tag("t"), T0.AddSeconds(10));
        clock.MarkStale(ClockKeys.Tag("t"), T0.AddSeconds(2));

        Assert.Equal(T0.AddSeconds(10), clock.Get(ClockKeys.Tag("t")).StaleAt);
    }

    [Fact]
    public void Overflow_FoldsIntoAFloor_SoNothingStaysFreshWrongly()
    {
        var clock = new TagClock(capacity: 3);
        for (var i = 0; i < 3; i++)
        {
            clock.MarkStale(ClockKeys.Tag($"t{i}"), T0.AddSeconds(i + 1));
        }

        clock.MarkStale(ClockKeys.Tag("t3"), T0.AddSeconds(10));

        Assert.Equal(0, clock.Count);
        Assert.NotNull(clock.Evaluate(ClockKeys.For("/x", ["t0"]), T0).StaleSince);
        Assert.NotNull(clock.Evaluate(ClockKeys.For("/x", ["t3"]), T0.AddSeconds(9)).StaleSince);
        Assert.Null(clock.Evaluate(ClockKeys.For("/x", ["t3"]), T0.AddSeconds(11)).StaleSince);
    }

    [Fact]
    public void Marked_IsRaisedForLocalMarks_NotForAppliedOnes()
    {
        var clock = new TagClock();
        var raised = new List<string>();
        clock.Marked += (key, _, _) => raised.Add(key);

        clock.MarkStale("t|a", T0);
        clock.Apply("t|b", InvalidationKind.Stale, T0);

        Assert.Equal(["t|a"], raised);
        Assert.NotNull(clock.Get("t|b").StaleAt);
    }

    [Theory]
    [InlineData("/blog/a", new[] { "p|/blog/a", "l|/blog/a", "l|/blog", "l|/" })]
    [InlineData("/blog/a/", new[] { "p|/blog/a", "l|/blog/a", "l|/blog", "l|/" })]
    [InlineData("/", new[] { "p|/", "l|/" })]
    public void ClockKeys_CoverThePathAndEveryAncestor(string path, string[] expected)
    {
        Assert.Equal(expected, ClockKeys.For(path, []));
    }
}
