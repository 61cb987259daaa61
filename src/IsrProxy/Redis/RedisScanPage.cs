namespace IsrProxy.Redis;

/// <summary>One SSCAN step: the cursor to pass next (0 when the scan is complete) and the members returned.</summary>
internal readonly record struct RedisScanPage(long Cursor, IReadOnlyList<string> Members);
