using System.CommandLine;
using Ring.Shared.Control;

namespace Netback.Ctl;

/// <summary>
/// <c>netbackctl set VIF rate=10Mb/s[@50ms]</c> or <c>rate=none</c>: change a vif's guest-TX rate, live
/// if it is connected, and in its declaration if it is declared (a reconnect keeps it).
/// </summary>
internal static class SetCommand
{
    public static Command Create(Option<string> socket)
    {
        var vif = new Argument<string>("vif") { Description = "The vif's name, e.g. vif1.0: connected, declared or both." };
        var setting = new Argument<string>("setting") { Description = "rate=RATE/s[@INTERVAL] in xl syntax (e.g. rate=10Mb/s@50ms), or rate=none." };
        var command = new Command("set", "Change a vif's rate= (live, and in its declaration so a reconnect keeps it).") { vif, setting };
        command.SetAction(parse =>
        {
            string text = parse.GetValue(setting)!;
            if (!text.StartsWith("rate=", StringComparison.Ordinal) || text.Length == "rate=".Length)
            {
                Console.Error.WriteLine($"netbackctl: '{text}': only rate=RATE[@INTERVAL] or rate=none can be set on a live vif");
                return 2;
            }
            try
            {
                using var client = AdminClient.Connect(parse.GetValue(socket)!);
                var reply = client.Request(new ControlMessage(ControlMessageType.AdminRequest)
                    .Set(AdminKeys.Command, AdminKeys.CommandSet)
                    .Set(AdminKeys.Vif, parse.GetValue(vif)!)
                    .Set(AdminKeys.Rate, text["rate=".Length..]));
                Console.Out.WriteLine($"{reply.Get(AdminKeys.Vif)} rate={reply.Get(AdminKeys.Rate)}"
                    + (reply.Get(AdminKeys.Declared) == "1" ? " (declaration updated)" : ""));
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
