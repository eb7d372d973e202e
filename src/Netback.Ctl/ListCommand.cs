using System.CommandLine;
using System.Globalization;
using System.Text;
using Ring.Shared.Control;

namespace Netback.Ctl;

/// <summary><c>netbackctl list</c>: one line per live vif, with its rate and counters.</summary>
internal static class ListCommand
{
    public static Command Create(Option<string> socket)
    {
        var command = new Command("list", "List the live vifs: name, domid, queues, MAC, rate, packets, drops, and the threads serving them.");
        command.SetAction(parse =>
        {
            try
            {
                using var client = AdminClient.Connect(parse.GetValue(socket)!);
                Console.Out.WriteLine(string.Format(CultureInfo.InvariantCulture, RowFormat,
                    "VIF", "DOMID", "Q", "MAC", "RATE", "TX-PKTS", "RX-PKTS", "TX-DROPS", "SPOOFED", "THREADS"));
                int first = 0;
                while (true)
                {
                    var reply = client.Request(new ControlMessage(ControlMessageType.AdminRequest)
                        .Set(AdminKeys.Command, AdminKeys.CommandList).Set(AdminKeys.First, first));
                    int count = reply.GetInt(AdminKeys.Count, 0, AdminKeys.ListPageSize);
                    int total = reply.GetInt(AdminKeys.VifCount, 0, int.MaxValue);
                    for (int i = 0; i < count; i++)
                    {
                        string V(string key) => reply.Get(AdminKeys.ForVif(i, key)) ?? "?";
                        Console.Out.WriteLine(string.Format(CultureInfo.InvariantCulture, RowFormat,
                            V(AdminKeys.Name), V(AdminKeys.DomId), V(AdminKeys.Queues), V(AdminKeys.Mac), V(AdminKeys.Rate),
                            V(AdminKeys.TxPackets), V(AdminKeys.RxPackets), V(AdminKeys.TxDrops), V(AdminKeys.SpoofDrops),
                            V(AdminKeys.Threads)));
                    }
                    first += count;
                    if (count == 0 || first >= total)
                    {
                        return 0;
                    }
                }
            }
            catch (AdminException e)
            {
                Console.Error.WriteLine($"netbackctl: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    private static readonly CompositeFormat RowFormat = CompositeFormat.Parse("{0,-15} {1,5} {2,2} {3,-17} {4,-16} {5,12} {6,12} {7,9} {8,8} {9}");
}
