namespace IsrProxy.LoadTool;

/// <summary>What one request got: status, body bytes as sent, content coding and the cache's class header.</summary>
internal readonly record struct Answer(int Status, long BodyBytes, string Encoding, string CacheClass);
