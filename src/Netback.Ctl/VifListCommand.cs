using System.CommandLine;
using System.Globalization;
using System.Text;
using Ring.Shared.Control;

namespace Netback.Ctl;

/// <summary><c>netbackctl vif-list</c>: the declared vifs (xl's <c>network-list</c>), their owner, settings and whether a frontend is connected.</summary>
internal static class VifListCommand
{
    public static Command Create(Option<string> socket)
    {
        var json = JsonOutput.Option();
        var command = new Command("vif-list", "List the declared vifs: ids, name, owner, MAC, rate, source, connected, vifspec.") { json };
        command.SetAction(parse =>
        {
            try
            {
                using var client = AdminClient.Connect(parse.GetValue(socket)!);
                var rows = new List<List<KeyValuePair<string, string>>>();
                int first = 0;
                while (true)
                {
                    var reply = client.Request(new ControlMessage(ControlMessageType.AdminRequest)
                        .Set(AdminKeys.Command, AdminKeys.CommandVifList).Set(AdminKeys.First, first));
                    int count = reply.GetInt(AdminKeys.Count, 0, AdminKeys.DeclarationPageSize);
                    int total = reply.GetInt(AdminKeys.VifCount, 0, int.MaxValue);
                    for (int i = 0; i < count; i++)
                    {
                        rows.Add(JsonOutput.Under(reply, AdminKeys.ForVif(i, "")));
                    }
                    first += count;
                    if (count == 0 || first >= total)
                    {
                        break;
                    }
                }
                if (parse.GetValue(json))
                {
                    JsonOutput.Write(rows, asList: true);
                    return 0;
                }
                Console.Out.WriteLine(string.Format(CultureInfo.InvariantCulture, RowFormat,
                    "VIF", "DOMID", "DEVID", "OWNER", "MAC", "RATE", "SOURCE", "CONNECTED", "VIFSPEC"));
                foreach (var row in rows)
                {
                    string V(string key) => row.FirstOrDefault(e => e.Key == key).Value ?? "";
                    Console.Out.WriteLine(string.Format(CultureInfo.InvariantCulture, RowFormat,
                        V(AdminKeys.Name), V(AdminKeys.DomId), V(AdminKeys.Handle), V(AdminKeys.Owner).Replace(' ', '='),
                        V(AdminKeys.Mac), V(AdminKeys.Rate), V(AdminKeys.Source), V(AdminKeys.Connected) == "1" ? "yes" : "no",
                        V(AdminKeys.Spec) is { Length: > 0 } spec ? spec : "-"));
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

    private static readonly CompositeFormat RowFormat = CompositeFormat.Parse("{0,-15} {1,5} {2,5} {3,-20} {4,-17} {5,-14} {6,-13} {7,-9} {8}");
}
