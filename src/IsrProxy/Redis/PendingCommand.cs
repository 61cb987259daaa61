namespace IsrProxy.Redis;

/// <summary>
/// A command from the moment it is queued until its reply (or the loss of the connection) completes it. The task is
/// this object itself, so a command costs one allocation besides its arguments.
/// </summary>
internal sealed class PendingCommand : TaskCompletionSource<RespValue>
{
    private const int Queued = 0;
    private const int Written = 1;
    private const int Abandoned = 2;

    private int _state;
    private int _callerGone;
    private RedisCommand _command;

    public PendingCommand(RedisCommand command)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        _command = command;
        Name = command.Name;
    }

    public string Name { get; }

    public RedisCommand Command => _command;

    /// <summary>Claims the command for sending; false when its caller gave up before it was sent.</summary>
    public bool TryMarkWritten() => Interlocked.CompareExchange(ref _state, Written, Queued) == Queued;

    /// <summary>
    /// Called when the caller stops waiting. A command not yet sent is then never sent; one already sent keeps its
    /// place so the reply that comes for it is matched to it and dropped.
    /// </summary>
    public void Abandon()
    {
        Volatile.Write(ref _callerGone, 1);
        Interlocked.CompareExchange(ref _state, Abandoned, Queued);
    }

    /// <summary>Completes the command with its reply; an error reply becomes <see cref="RedisServerException"/>.</summary>
    public void Complete(RespValue reply, RedisEndPoint endPoint)
    {
        if (reply.IsError)
        {
            Fail(new RedisServerException(endPoint, Name, reply.AsString() ?? string.Empty));
        }
        else
        {
            TrySetResult(reply);
        }
    }

    public void Fail(Exception exception)
    {
        // Nobody awaits a command whose caller gave up; cancelling instead of faulting keeps its exception from
        // surfacing later as an unobserved task exception.
        if (Volatile.Read(ref _callerGone) == 1)
        {
            TrySetCanceled();
        }
        else
        {
            TrySetException(exception);
        }
    }

    /// <summary>Drops the arguments once they are in the socket buffer, so large values are not kept alive.</summary>
    public void ReleaseArguments() => _command = default;
}
