namespace IsrProxy.Storage.Redis;

/// <summary>The result of one guarded Redis operation: its value, or that the store was unavailable (already logged and counted).</summary>
internal readonly record struct StoreCall<T>(bool Succeeded, T Value)
{
    public static StoreCall<T> Unavailable => new(false, default!);                // never read: Succeeded is false
}
