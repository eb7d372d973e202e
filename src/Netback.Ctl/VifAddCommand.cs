using System.CommandLine;
using System.Globalization;
using Ring.Shared.Control;

namespace Netback.Ctl;

/// <summary>
/// <c>netbackctl vif-add DOMID [DEVID] uid=U|gid=G [mac=… bridge=… ip=… rate=… mtu=… vifname=…]</c>:
/// declares a vif (xl's <c>network-attach</c>); its owner's frontend may then connect naming DOMID/DEVID.
/// </summary>
internal static class VifAddCommand
{
    public static Command Create(Option<string> socket)
    {
        var words = new Argument<string[]>("declaration")
        {
            Description = "DOMID [DEVID], the owner (uid=U, gid=G or both) and the vif's host-side vifspec keys "
                + "(mac=, ip=\"A B\", bridge=, rate=, mtu=, vifname=, offloads=, tx-copy=, script=).",
            Arity = ArgumentArity.OneOrMore,
        };
        var json = JsonOutput.Option();
        var command = new Command("vif-add", "Declare a vif: who may connect to it, and its MAC, addresses, bridge, rate, MTU and name.")
        {
            words, json,
        };
        command.SetAction(parse =>
        {
            if (!TryBuild(parse.GetValue(words)!, out var request, out string? error))
            {
                Console.Error.WriteLine($"netbackctl: {error}");
                return 2;
            }
            try
            {
                using var client = AdminClient.Connect(parse.GetValue(socket)!);
                var reply = client.Request(request!);
                if (parse.GetValue(json))
                {
                    JsonOutput.Write([JsonOutput.Under(reply, "")], asList: false);
                }
                else
                {
                    Console.Out.WriteLine($"declared {reply.Get(AdminKeys.Name)} (domid {reply.Get(AdminKeys.DomId)} devid {reply.Get(AdminKeys.Handle)}) "
                        + $"for {reply.Get(AdminKeys.Owner)}: mac {reply.Get(AdminKeys.Mac)}, rate {reply.Get(AdminKeys.Rate)}"
                        + (reply.Get(AdminKeys.Spec) is { Length: > 0 } spec ? $", {spec}" : ""));
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

    /// <summary>DOMID, an optional numeric DEVID, then KEY=VALUE words: uid and gid are the owner, the rest the vifspec.</summary>
    internal static bool TryBuild(string[] words, out ControlMessage? request, out string? error)
    {
        request = null;
        error = null;
        if (words.Length == 0 || !IsNumber(words[0]))
        {
            error = "vif-add needs DOMID first (e.g. vif-add 7 uid=1000 mac=00:16:3e:00:00:07)";
            return false;
        }
        var m = new ControlMessage(ControlMessageType.AdminRequest).Set(AdminKeys.Command, AdminKeys.CommandVifAdd).Set(AdminKeys.DomId, words[0]);
        int next = 1;
        if (words.Length > 1 && IsNumber(words[1]))
        {
            m.Set(AdminKeys.Handle, words[1]);
            next = 2;
        }
        var spec = new List<string>();
        foreach (string word in words[next..])
        {
            int eq = word.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                error = $"'{word}' is not KEY=VALUE";
                return false;
            }
            string key = word[..eq];
            if (key is AdminKeys.Uid or AdminKeys.Gid)
            {
                m.Set(key, word[(eq + 1)..]);
            }
            else if (word.Contains(',', StringComparison.Ordinal))
            {
                error = $"'{word}': one key per word (separate ip= addresses with spaces: ip=\"10.0.0.2 fd00::2\")";
                return false;
            }
            else
            {
                spec.Add(word);
            }
        }
        m.Set(AdminKeys.Spec, string.Join(',', spec));
        request = m;
        return true;
    }

    private static bool IsNumber(string s) => s.Length > 0 && uint.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out _);
}
