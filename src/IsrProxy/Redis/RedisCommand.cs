namespace IsrProxy.Redis;

/// <summary>
/// A command as its name and arguments, e.g. <c>new RedisCommand("SET", key, value, "PX", 5000)</c>. Multi-word
/// commands put the sub-command in the arguments: <c>new RedisCommand("CLIENT", "SETNAME", name)</c>.
/// </summary>
internal readonly struct RedisCommand
{
    public RedisCommand(string name, params RedisArg[] args)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(args);
        Name = name;
        Args = args;
    }

    public string Name { get; }

    public ReadOnlyMemory<RedisArg> Args { get; }

    public override string ToString() => Name;
}
