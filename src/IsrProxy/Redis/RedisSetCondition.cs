namespace IsrProxy.Redis;

internal enum RedisSetCondition
{
    Always = 0,

    /// <summary>NX: only when the key does not exist.</summary>
    IfNotExists,

    /// <summary>XX: only when the key exists.</summary>
    IfExists,
}
