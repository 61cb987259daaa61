using IsrProxy.Storage.Redis;

namespace IsrProxy.Tests.Unit.Storage.Redis;

public sealed class CircuitBreakerTests
{
    private readonly SteppedClock _time = new();

    [Fact]
    public void Closed_AllowsCalls()
    {
        var breaker = new CircuitBreaker(TimeSpan.FromSeconds(1), _time);

        Assert.True(breaker.AllowsCall());
        Assert.False(breaker.IsOpen);
    }

    [Fact]
    public void Trip_RefusesCallsUntilTheOpenTimePassed_ThenLetsThemProbe()
    {
        var breaker = new CircuitBreaker(TimeSpan.FromSeconds(1), _time);

        Assert.True(breaker.Trip());
        Assert.False(breaker.AllowsCall());
        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(breaker.AllowsCall());
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(breaker.AllowsCall());
        Assert.True(breaker.IsOpen);
    }

    [Fact]
    public void Trip_WhileOpen_IsNotANewOutage_AndRestartsTheWait()
    {
        var breaker = new CircuitBreaker(TimeSpan.FromSeconds(1), _time);
        breaker.Trip();
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.False(breaker.Trip());                                  // the probe failed
        Assert.False(breaker.AllowsCall());
    }

    [Fact]
    public void Close_ReportsOnlyTheTransition()
    {
        var breaker = new CircuitBreaker(TimeSpan.FromSeconds(1), _time);

        Assert.False(breaker.Close());
        breaker.Trip();
        Assert.True(breaker.Close());
        Assert.False(breaker.Close());
        Assert.True(breaker.AllowsCall());
    }

    /// <summary>A clock whose timestamps move only when told (the breaker measures with timestamps).</summary>
    private sealed class SteppedClock : TimeProvider
    {
        private long _ticks = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
