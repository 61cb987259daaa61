namespace IsrProxy.Proxy;

/// <summary>
/// An origin answer to a cache fill with its body read into memory up to the cacheable maximum. When the body is
/// larger, <see cref="IsComplete"/> is false: <see cref="Buffer"/> holds the part read so far and the rest is still in
/// the message's content stream, to be streamed to one client and never buffered whole.
/// </summary>
internal sealed class OriginResponse(HttpResponseMessage message, byte[] buffer, int length, bool isComplete) : IDisposable
{
    public HttpResponseMessage Message { get; } = message;

    public int StatusCode => (int)Message.StatusCode;

    public byte[] Buffer { get; } = buffer;

    public int Length { get; } = length;

    public bool IsComplete { get; } = isComplete;

    public ReadOnlyMemory<byte> Body => Buffer.AsMemory(0, Length);

    public void Dispose() => Message.Dispose();
}
