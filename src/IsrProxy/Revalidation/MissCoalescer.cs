using System.Collections.Concurrent;

namespace IsrProxy.Revalidation;

/// <summary>
/// Collapses concurrent misses for one key into one origin fill. The first caller starts the fill; later callers await
/// the same result. The key is removed when the fill completes, whatever happens, so a failure is never remembered. The
/// fill runs on its own token (shutdown and the route's MaxDuration), never on a client's, so one client leaving does
/// not fail the others.
/// </summary>
internal sealed class MissCoalescer
{
    private readonly ConcurrentDictionary<string, Task<FillOutcome>> _inFlight = new(StringComparer.Ordinal);
    private long _joined;

    public int InFlight => _inFlight.Count;

    /// <summary>How many calls found a fill running and joined it, since the start.</summary>
    public long Joined => Interlocked.Read(ref _joined);

    /// <summary>Runs <paramref name="fill"/> for <paramref name="key"/> unless one is running. Leader: this call started it.</summary>
    public (Task<FillOutcome> Task, bool IsLeader) Run(string key, Func<Task<FillOutcome>> fill)
    {
        while (true)
        {
            if (_inFlight.TryGetValue(key, out var running))
            {
                Interlocked.Increment(ref _joined);
                return (running, false);
            }

            var shared = new TaskCompletionSource<FillOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_inFlight.TryAdd(key, shared.Task))
            {
                return (FillAsync(key, shared, fill), true);
            }
        }
    }

    private async Task<FillOutcome> FillAsync(string key, TaskCompletionSource<FillOutcome> shared, Func<Task<FillOutcome>> fill)
    {
        try
        {
            var outcome = await fill();
            shared.SetResult(outcome);
            return outcome;
        }
        catch (Exception ex)
        {
            shared.SetException(ex);                             // every waiter sees the same failure
            throw;
        }
        finally
        {
            _inFlight.TryRemove(new KeyValuePair<string, Task<FillOutcome>>(key, shared.Task));
        }
    }
}
