using System.Globalization;

namespace IsrProxy.Redis;

/// <summary>
/// One command argument, kept in its original form (text, bytes or integer) and encoded straight into the socket
/// buffer when the command is written, so no intermediate string or array is built.
/// </summary>
internal readonly struct RedisArg
{
    private readonly string? _text;
    private readonly ReadOnlyMemory<byte> _bytes;
    private readonly long _integer;

    private RedisArg(RedisArgKind kind, string? text, ReadOnlyMemory<byte> bytes, long integer)
    {
        Kind = kind;
        _text = text;
        _bytes = bytes;
        _integer = integer;
    }

    public RedisArgKind Kind { get; }

    public string Text => Kind == RedisArgKind.Text && _text is not null
        ? _text
        : throw new InvalidOperationException($"Redis argument of kind {Kind} is not text.");

    public ReadOnlyMemory<byte> Bytes => Kind == RedisArgKind.Bytes
        ? _bytes
        : throw new InvalidOperationException($"Redis argument of kind {Kind} is not bytes.");

    public long Integer => Kind == RedisArgKind.Integer
        ? _integer
        : throw new InvalidOperationException($"Redis argument of kind {Kind} is not an integer.");

    public static RedisArg FromText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new RedisArg(RedisArgKind.Text, text, default, 0);
    }

    public static RedisArg FromBytes(ReadOnlyMemory<byte> bytes) => new(RedisArgKind.Bytes, null, bytes, 0);

    public static RedisArg FromInt64(long value) => new(RedisArgKind.Integer, null, default, value);

    public static implicit operator RedisArg(string text) => FromText(text);

    public static implicit operator RedisArg(byte[] bytes) => FromBytes(bytes);

    public static implicit operator RedisArg(ReadOnlyMemory<byte> bytes) => FromBytes(bytes);

    public static implicit operator RedisArg(long value) => FromInt64(value);

    public override string ToString() => Kind switch
    {
        RedisArgKind.Text => _text ?? string.Empty,
        RedisArgKind.Integer => _integer.ToString(CultureInfo.InvariantCulture),
        _ => string.Create(CultureInfo.InvariantCulture, $"({_bytes.Length} bytes)"),
    };
}
