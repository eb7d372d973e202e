using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace Netback.Ctl;

/// <summary>
/// <c>netbackctl stats [VIF] [--watch [--interval S]] [--json]</c>: every queue's packets, bytes,
/// drops by reason, notifications sent and received, wake-ups and spurious wake-ups, as totals and
/// per second between two samples <c>--interval</c> apart. <c>--watch</c> goes on sampling until
/// Ctrl-C: a live table on a terminal, plain lines otherwise, a JSON line per sample with <c>--json</c>.
/// </summary>
internal static class StatsCommand
{
    public static Command Create(Option<string> socket)
    {
        var vif = new Argument<string?>("vif") { Description = "Only this live vif's queues (default: every vif's).", Arity = ArgumentArity.ZeroOrOne };
        var watch = new Option<bool>("--watch", "-w") { Description = "Keep sampling, every --interval seconds, until Ctrl-C." };
        var interval = new Option<double>("--interval", "-i")
        {
            Description = "Seconds between two samples (0.1 to 3600; default 1).",
            DefaultValueFactory = _ => 1.0,
        };
        var json = new Option<bool>("--json") { Description = "One JSON object per sample and line (JSON Lines)." };
        var command = new Command("stats", "Per-queue packets, bytes, drops by reason, notifications and wake-ups: totals, and per second between samples.")
        {
            vif, watch, interval, json,
        };
        command.SetAction(parse =>
        {
            string? name = parse.GetValue(vif);
            if (name is not null && VifNameArgument.Problem(name) is { } problem)
            {
                Console.Error.WriteLine($"netbackctl: {problem}");
                return VifNameArgument.UsageError;
            }
            double seconds = parse.GetValue(interval);
            if (!(seconds >= 0.1 && seconds <= 3600))
            {
                Console.Error.WriteLine($"netbackctl: --interval {seconds.ToString(CultureInfo.InvariantCulture)}: give 0.1 to 3600 seconds");
                return VifNameArgument.UsageError;
            }
            try
            {
                using var client = AdminClient.Connect(parse.GetValue(socket)!);
                Run(client, name, TimeSpan.FromSeconds(seconds), parse.GetValue(watch), parse.GetValue(json));
                return 0;
            }
            catch (AdminException e)
            {
                Console.Error.WriteLine($"netbackctl: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    private static void Run(AdminClient client, string? vif, TimeSpan interval, bool watch, bool json)
    {
        using var stop = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true; // leave the loop and restore the terminal, not die mid-frame
            stop.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            var previous = QueueSample.Fetch(client, vif);
            if (json || Console.IsOutputRedirected)
            {
                Lines(client, vif, interval, watch, json, previous, stop.Token);
            }
            else
            {
                Live(client, vif, interval, watch, previous, stop.Token);
            }
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>Plain lines or JSON lines, one sample after another.</summary>
    private static void Lines(AdminClient client, string? vif, TimeSpan interval, bool watch, bool json, List<QueueSample> previous, CancellationToken stop)
    {
        using var stdout = Console.OpenStandardOutput();
        if (!json)
        {
            StatsLines.Header(Console.Out);
        }
        while (!stop.WaitHandle.WaitOne(interval))
        {
            var now = QueueSample.Fetch(client, vif);
            var before = Index(previous);
            if (json)
            {
                StatsJson.WriteLine(stdout, DateTimeOffset.Now, now, before);
            }
            else
            {
                StatsLines.Write(Console.Out, DateTimeOffset.Now, now, before);
            }
            if (!watch)
            {
                return;
            }
            previous = now;
        }
    }

    /// <summary>A Spectre.Console table, redrawn in place at every sample (once without --watch).</summary>
    private static void Live(AdminClient client, string? vif, TimeSpan interval, bool watch, List<QueueSample> previous, CancellationToken stop)
    {
        string Caption() => $"{DateTimeOffset.Now.ToLocalTime():HH:mm:ss}, per second over {interval.TotalSeconds:0.###} s"
            + (watch ? "; Ctrl-C to stop" : "");
        if (!watch)
        {
            if (!stop.WaitHandle.WaitOne(interval))
            {
                var now = QueueSample.Fetch(client, vif);
                AnsiConsole.Write(StatsTable.Build(now, Index(previous), Caption()));
            }
            return;
        }
        AnsiConsole.Live(StatsTable.Build(previous, _ => null, "first sample; rates after the next"))
            .AutoClear(false)
            .Start(context =>
            {
                while (!stop.WaitHandle.WaitOne(interval))
                {
                    var now = QueueSample.Fetch(client, vif);
                    context.UpdateTarget(StatsTable.Build(now, Index(previous), Caption()));
                    previous = now;
                }
            });
    }

    /// <summary>Each queue's earlier sample, found by vif name and queue index.</summary>
    private static Func<QueueSample, QueueSample?> Index(List<QueueSample> samples)
    {
        var byQueue = samples.ToDictionary(s => (s.Vif, s.Queue));
        return q => byQueue.GetValueOrDefault((q.Vif, q.Queue));
    }
}
