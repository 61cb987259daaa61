using System.Buffers;

namespace IsrProxy.Tests.Fixtures;

/// <summary>Builds multi-segment byte sequences, the way socket reads deliver a reply in pieces.</summary>
public static class Segments
{
    /// <summary>Splits <paramref name="data"/> at the given ascending offsets.</summary>
    public static ReadOnlySequence<byte> Split(byte[] data, params int[] offsets)
    {
        var pieces = new List<ReadOnlyMemory<byte>>();
        var start = 0;
        foreach (var offset in offsets)
        {
            pieces.Add(data.AsMemory(start, offset - start));
            start = offset;
        }

        pieces.Add(data.AsMemory(start));
        return Create(pieces);
    }

    public static ReadOnlySequence<byte> OneBytePieces(byte[] data) =>
        Create([.. Enumerable.Range(0, data.Length).Select(i => data.AsMemory(i, 1))]);

    public static ReadOnlySequence<byte> Chunks(byte[] data, int chunkSize)
    {
        var pieces = new List<ReadOnlyMemory<byte>>();
        for (var i = 0; i < data.Length; i += chunkSize)
        {
            pieces.Add(data.AsMemory(i, Math.Min(chunkSize, data.Length - i)));
        }

        return Create(pieces);
    }

    public static ReadOnlySequence<byte> Create(IReadOnlyList<ReadOnlyMemory<byte>> pieces)
    {
        if (pieces.Count == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new Segment(pieces[0], 0);
        var last = first;
        for (var i = 1; i < pieces.Count; i++)
        {
            last = last.Append(pieces[i]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
