using System.CommandLine;
using System.Globalization;
using Ring.Shared.Control;

namespace Netback.Ctl;

/// <summary>
/// <c>netbackctl vif-del DOMID [DEVID] [--force]</c>: removes a runtime declaration (xl's
/// <c>network-detach</c>). A connected vif is refused unless <c>--force</c>, which disconnects it.
/// </summary>
internal static class VifDelCommand
{
    public static Command Create(Option<string> socket)
    {
        var domId = new Argument<int>("domid") { Description = "The declared vif's domid." };
        var devId = new Argument<int>("devid") { Description = "Its devid (default 0).", DefaultValueFactory = _ => 0 };
        var force = new Option<bool>("--force") { Description = "Disconnect the vif if a frontend is connected (it is told Closing)." };
        var json = JsonOutput.Option();
        var command = new Command("vif-del", "Remove a vif's runtime declaration; its frontend can no longer connect.") { domId, devId, force, json };
        command.SetAction(parse =>
        {
            try
            {
                using var client = AdminClient.Connect(parse.GetValue(socket)!);
                var request = new ControlMessage(ControlMessageType.AdminRequest)
                    .Set(AdminKeys.Command, AdminKeys.CommandVifDel)
                    .Set(AdminKeys.DomId, parse.GetValue(domId).ToString(CultureInfo.InvariantCulture))
                    .Set(AdminKeys.Handle, parse.GetValue(devId).ToString(CultureInfo.InvariantCulture))
                    .Set(AdminKeys.Force, parse.GetValue(force));
                var reply = client.Request(request);
                if (parse.GetValue(json))
                {
                    JsonOutput.Write([JsonOutput.Under(reply, "")], asList: false);
                }
                else
                {
                    Console.Out.WriteLine($"removed the declaration of {reply.Get(AdminKeys.Name)}"
                        + (reply.Get(AdminKeys.Disconnected) == "1" ? "; its frontend was disconnected" : ""));
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
}
