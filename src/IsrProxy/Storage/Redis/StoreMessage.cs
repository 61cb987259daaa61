using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace IsrProxy.Storage.Redis;

/// <summary>
/// One pub/sub message between replicas, as UTF-8 text: <c>1|replica|w|key</c>, <c>1|replica|d|key</c> or
/// <c>1|replica|m|s-or-x|ticks|clockKey</c>. The free-form name (key or clock key) comes last, so it may hold any
/// character. A message of another version or shape is refused, never guessed at.
/// </summary>
internal readonly record struct StoreMessage(StoreMessageKind Kind, string Replica, string Name, InvalidationKind Invalidation, DateTimeOffset At)
{
    private const string Version = "1";
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string Written(string replica, string key) => $"{Version}|{replica}|w|{key}";

    public static string Removed(string replica, string key) => $"{Version}|{replica}|d|{key}";

    public static string Marked(string replica, string clockKey, InvalidationKind kind, DateTimeOffset at)
        => $"{Version}|{replica}|m|{KindCode(kind)}|{RedisStamps.Format(at)}|{clockKey}";

    public static string KindCode(InvalidationKind kind) => kind == InvalidationKind.Expire ? "x" : "s";

    public static bool TryParse(ReadOnlySpan<byte> payload, [NotNullWhen(true)] out StoreMessage? message)
    {
        message = null;
        string text;
        try
        {
            text = StrictUtf8.GetString(payload);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        var parts = text.Split('|', 4);
        if (parts.Length != 4 || parts[0] != Version || parts[1].Length == 0)
        {
            return false;
        }

        switch (parts[2])
        {
            case "w" when parts[3].Length > 0:
                message = new StoreMessage(StoreMessageKind.Written, parts[1], parts[3], default, default);
                return true;
            case "d" when parts[3].Length > 0:
                message = new StoreMessage(StoreMessageKind.Removed, parts[1], parts[3], default, default);
                return true;
            case "m":
                var mark = parts[3].Split('|', 3);
                if (mark.Length != 3 || mark[0] is not ("s" or "x") || mark[2].Length == 0
                    || !RedisStamps.TryParse(mark[1], out var at) || at is not { } instant)
                {
                    return false;
                }

                var kind = mark[0] == "x" ? InvalidationKind.Expire : InvalidationKind.Stale;
                message = new StoreMessage(StoreMessageKind.Marked, parts[1], mark[2], kind, instant);
                return true;
            default:
                return false;
        }
    }
}
