namespace IsrProxy.Tests.Fixtures;

/// <summary>Integration tests that share <see cref="RedisServerFixture"/>; xunit runs them one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisServerFixture>
{
    public const string Name = "redis";
}
