namespace IsrProxy.Storage.Redis;

/// <summary>Counters of the Redis store and its L1, for the stats endpoint and the metrics exporter.</summary>
internal sealed class SharedStoreStats
{
    private long _l1Hits;
    private long _redisReads;
    private long _redisErrors;
    private long _refused;
    private long _messages;
    private long _resyncs;

    /// <summary>Lookups answered by L1 without asking Redis.</summary>
    public long L1Hits => Interlocked.Read(ref _l1Hits);

    /// <summary>Lookups that read Redis (L1 missed, or was not trusted).</summary>
    public long RedisReads => Interlocked.Read(ref _redisReads);

    /// <summary>Redis operations that failed or timed out.</summary>
    public long RedisErrors => Interlocked.Read(ref _redisErrors);

    /// <summary>Redis operations not attempted because the circuit breaker was open.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Pub/sub messages from other replicas applied here.</summary>
    public long MessagesApplied => Interlocked.Read(ref _messages);

    /// <summary>Times L1 and the clock were resynchronised from Redis after (re)subscribing.</summary>
    public long Resyncs => Interlocked.Read(ref _resyncs);

    public void L1Hit() => Interlocked.Increment(ref _l1Hits);

    public void RedisRead() => Interlocked.Increment(ref _redisReads);

    public void Failed() => Interlocked.Increment(ref _redisErrors);

    public void Refuse() => Interlocked.Increment(ref _refused);

    public void MessageApplied() => Interlocked.Increment(ref _messages);

    public void Resynchronised() => Interlocked.Increment(ref _resyncs);
}
