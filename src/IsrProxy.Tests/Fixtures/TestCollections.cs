namespace IsrProxy.Tests.Fixtures;

internal static class TestCollections
{
    /// <summary>
    /// Tests whose MeterProvider listens to the fixed meter names (IsrProxy, ASP.NET Core, HttpClient): they run one
    /// at a time so one test's measurements on those process-wide meters never land in another's scrape.
    /// </summary>
    public const string ProductMeters = "Product meters";
}
