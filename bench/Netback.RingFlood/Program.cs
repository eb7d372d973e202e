using Netback.RingFlood;
using Netfront.Client;

FloodOptions? options = FloodOptions.Parse(args, out string? error);
if (args is ["-h"] or ["--help"])
{
    Console.WriteLine(FloodOptions.Usage);
    return 0;
}
if (options is null)
{
    Console.Error.WriteLine($"ringflood: {error}");
    Console.Error.WriteLine(FloodOptions.Usage);
    return 2;
}
try
{
    return options.Mode == FloodMode.SocketPair ? SocketPairBaseline.Run(options)
        : options.Vifs is not null ? ScaleRun.Run(options)
        : RingRun.Run(options);
}
catch (NetfrontException e)
{
    Console.Error.WriteLine($"ringflood: {e.Message}");
    return 1;
}
