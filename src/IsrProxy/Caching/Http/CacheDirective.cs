namespace IsrProxy.Caching.Http;

// One cache directive as the origin wrote it.
// Argument: null for a directive without a value; otherwise its text (quoted-strings unescaped).
// Seconds: the argument read as delta-seconds, or null when it is absent or not a valid delta-seconds.
internal readonly record struct CacheDirective(string Name, string? Argument, long? Seconds);
