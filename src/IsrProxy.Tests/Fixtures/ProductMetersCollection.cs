namespace IsrProxy.Tests.Fixtures;

/// <summary>
/// Meters are process-wide by name: a host's MeterProvider also sees the "IsrProxy" instruments of every other host
/// running in the test process. Tests that read metric values therefore run alone, after the parallel ones. Some of
/// them need Redis, so the collection carries the Redis fixture too.
/// </summary>
[CollectionDefinition(TestCollections.ProductMeters, DisableParallelization = true)]
public sealed class ProductMetersCollection : ICollectionFixture<RedisServerFixture>;
