using System.CommandLine;
using Ring.Shared.Control;

namespace Netback.Ctl;

/// <summary>
/// <c>netbackctl show VIF [--json]</c>: a live vif as <c>xenstore-ls</c> would print its backend and
/// frontend nodes (every key each side wrote), what was negotiated, and per queue its worker thread,
/// its rings' indices and its counters (<see cref="ShowText"/>, <see cref="ShowJson"/>).
/// </summary>
internal static class ShowCommand
{
    public static Command Create(Option<string> socket)
    {
        var vif = VifNameArgument.Create("The live vif's name, e.g. vif1.0 (netbackctl list shows them).");
        var json = JsonOutput.Option();
        var command = new Command("show", "Show a live vif: its backend and frontend nodes as xenstore-ls would, its negotiated modes, "
            + "and per queue its worker thread (tid, CPU), ring indices and counters.") { vif, json };
        command.SetAction(parse =>
        {
            string name = parse.GetValue(vif)!;
            if (VifNameArgument.Problem(name) is { } problem)
            {
                Console.Error.WriteLine($"netbackctl: {problem}");
                return VifNameArgument.UsageError;
            }
            try
            {
                using var client = AdminClient.Connect(parse.GetValue(socket)!);
                var nodes = Fetch(client, name);
                if (parse.GetValue(json))
                {
                    ShowJson.Write(Console.OpenStandardOutput(), name, nodes);
                    Console.Out.WriteLine();
                }
                else
                {
                    ShowText.Write(Console.Out, name, nodes);
                }
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

    /// <summary>Every node of <paramref name="vif"/>, page after page, in the daemon's order.</summary>
    internal static List<KeyValuePair<string, string>> Fetch(AdminClient client, string vif)
    {
        var nodes = new List<KeyValuePair<string, string>>();
        int first = 0;
        while (true)
        {
            var reply = client.Request(new ControlMessage(ControlMessageType.AdminRequest)
                .Set(AdminKeys.Command, AdminKeys.CommandShow).Set(AdminKeys.Vif, vif).Set(AdminKeys.First, first));
            int count, total;
            try
            {
                count = reply.GetInt(AdminKeys.Count, 0, ControlCodec.MaxEntries);
                total = reply.GetInt(AdminKeys.Total, 0, int.MaxValue);
            }
            catch (ControlProtocolException e)
            {
                throw new AdminException($"unexpected reply from netbackd: {e.Message}");
            }
            for (int i = 0; i < count; i++)
            {
                string path = reply.Get(AdminKeys.Node(i)) ?? throw new AdminException($"netbackd's reply lacks {AdminKeys.Node(i)}");
                nodes.Add(KeyValuePair.Create(path, reply.Get(AdminKeys.NodeValue(i)) ?? ""));
            }
            first += count;
            if (count == 0 || first >= total)
            {
                return nodes;
            }
        }
    }
}
