using IsrProxy.Hosting;

if (HealthCheckCommand.IsRequested(args))
{
    return await HealthCheckCommand.RunAsync(args, Console.Out, CancellationToken.None);
}

try
{
    var app = IsrHost.Build(IsrHost.CreateBuilder(args));
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (StartupErrors.Describe(ex) is { Count: > 0 } errors)
{
    Console.Error.WriteLine("IsrProxy cannot start: the configuration is invalid.");
    foreach (var error in errors)
    {
        Console.Error.WriteLine("  " + error);
    }

    return 2;
}
