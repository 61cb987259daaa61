using System.Globalization;
using System.Text;

namespace IsrProxy.Redis;

/// <summary>
/// One parsed RESP2 reply. String payloads live in a byte array owned by the value (copied out of the socket buffer,
/// which is recycled), so a value may be kept after the read that produced it.
/// </summary>
internal readonly struct RespValue
{
    private readonly object? _payload;   // byte[] for strings and errors, RespValue[] for arrays, null for nulls
    private readonly long _integer;

    private RespValue(RespValueKind kind, object? payload, long integer)
    {
        Kind = kind;
        _payload = payload;
        _integer = integer;
    }

    public RespValueKind Kind { get; }

    /// <summary>True for a null bulk string (<c>$-1</c>) or a null array (<c>*-1</c>).</summary>
    public bool IsNull => _payload is null && Kind is RespValueKind.BulkString or RespValueKind.Array;

    public bool IsError => Kind == RespValueKind.Error;

    public static RespValue SimpleString(byte[] text) => new(RespValueKind.SimpleString, text, 0);

    public static RespValue SimpleString(string text) => SimpleString(Encoding.UTF8.GetBytes(text));

    public static RespValue Error(byte[] text) => new(RespValueKind.Error, text, 0);

    public static RespValue Error(string text) => Error(Encoding.UTF8.GetBytes(text));

    public static RespValue Integer(long value) => new(RespValueKind.Integer, null, value);

    public static RespValue BulkString(byte[]? payload) => new(RespValueKind.BulkString, payload, 0);

    public static RespValue BulkString(string payload) => BulkString(Encoding.UTF8.GetBytes(payload));

    public static RespValue Array(RespValue[]? items) => new(RespValueKind.Array, items, 0);

    /// <summary>
    /// The text of a simple string, error or bulk string (UTF-8), or an integer in invariant digits; null for a null bulk
    /// string. Throws for arrays.
    /// </summary>
    public string? AsString() => Kind switch
    {
        RespValueKind.SimpleString or RespValueKind.Error or RespValueKind.BulkString =>
            _payload is byte[] bytes ? Encoding.UTF8.GetString(bytes) : null,
        RespValueKind.Integer => _integer.ToString(CultureInfo.InvariantCulture),
        _ => throw NotA("a string"),
    };

    /// <summary>An integer reply, or a string reply holding a decimal integer.</summary>
    public long AsInt64()
    {
        if (Kind == RespValueKind.Integer)
        {
            return _integer;
        }

        if (Kind is RespValueKind.SimpleString or RespValueKind.BulkString && _payload is byte[] bytes)
        {
            if (long.TryParse(bytes, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
            {
                return parsed;
            }

            throw new InvalidOperationException($"Redis reply '{Encoding.UTF8.GetString(bytes)}' is not an integer.");
        }

        throw NotA("an integer");
    }

    /// <summary>
    /// The payload of a simple string, error or bulk string; null for a null bulk string. The array is the value's own
    /// (no copy is made, which matters for multi-megabyte values): callers must not modify it.
    /// </summary>
    public byte[]? AsBytes() => Kind switch
    {
        RespValueKind.SimpleString or RespValueKind.Error or RespValueKind.BulkString => _payload as byte[],
        _ => throw NotA("a string"),
    };

    /// <summary>The payload as read-only memory; empty for a null bulk string.</summary>
    public ReadOnlyMemory<byte> AsMemory() => AsBytes();

    /// <summary>The elements of a non-null array.</summary>
    public IReadOnlyList<RespValue> Items => Kind == RespValueKind.Array && _payload is RespValue[] items
        ? items
        : throw NotA("a non-null array");

    public override string ToString() => Kind switch
    {
        RespValueKind.None => "(none)",
        RespValueKind.SimpleString => "+" + AsString(),
        RespValueKind.Error => "-" + AsString(),
        RespValueKind.Integer => ":" + AsString(),
        RespValueKind.BulkString => _payload is byte[] bytes
            ? string.Create(CultureInfo.InvariantCulture, $"${bytes.Length}")
            : "$(null)",
        _ => _payload is RespValue[] items
            ? string.Create(CultureInfo.InvariantCulture, $"*{items.Length}")
            : "*(null)",
    };

    private InvalidOperationException NotA(string expected) =>
        new($"Redis reply {ToString()} of kind {Kind} is not {expected}.");
}
