namespace IsrProxy.Redis;

/// <summary>One HSCAN step: the cursor to pass next (0 when the scan is complete) and the fields with their values.</summary>
internal readonly record struct RedisHashScanPage(long Cursor, IReadOnlyList<KeyValuePair<string, byte[]>> Fields);
