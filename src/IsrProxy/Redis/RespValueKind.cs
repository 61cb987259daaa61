namespace IsrProxy.Redis;

/// <summary>The RESP2 reply types. <c>default(RespValue)</c> has kind <see cref="None"/>.</summary>
internal enum RespValueKind
{
    None = 0,
    SimpleString,
    Error,
    Integer,
    BulkString,
    Array,
}
