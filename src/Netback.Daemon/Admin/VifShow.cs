using System.Text;
using Netback.Daemon.Interface;
using Ring.Shared.Control;

namespace Netback.Daemon.Admin;

/// <summary>
/// <c>show vif=NAME [first=N]</c>: a live vif's nodes (<see cref="VifNodes"/>), as many per reply as
/// fit a record, from node <c>first</c>: <c>node-I</c> is a path, <c>value-I</c> its value. Each page
/// is read afresh (a vif's frontend keys alone may fill a record), so counters and indices on two
/// pages are two looks.
/// </summary>
internal static class VifShow
{
    /// <summary>Well under ControlCodec.MaxMessageBytes (16 KiB), and fewer entries than its 512.</summary>
    private const int PageBytes = 12 * 1024;
    private const int PageNodes = 200;

    public static ControlMessage Handle(ControlMessage request, VifRegistry registry)
    {
        string name = request.Get(AdminKeys.Vif) ?? throw new ControlProtocolException("show needs vif=");
        int first = request.GetInt(AdminKeys.First, 0, int.MaxValue, 0);
        var vif = Array.Find(registry.Snapshot(), v => v.Name == name)
            ?? throw AdminText.NotConnected(name, Array.Exists(registry.Declarations(), d => d.Name == name));
        var nodes = VifNodes.List(vif);
        var reply = new ControlMessage(ControlMessageType.AdminReply)
            .Set(AdminKeys.Vif, vif.Name)
            .Set(AdminKeys.Total, nodes.Count)
            .Set(AdminKeys.First, first);
        int count = 0;
        int bytes = 0;
        for (int i = first; i < nodes.Count && count < PageNodes; i++)
        {
            var (path, value) = nodes[i];
            int cost = Encoding.UTF8.GetByteCount(path) + Encoding.UTF8.GetByteCount(value) + 24; // two keys, four NULs
            if (count > 0 && bytes + cost > PageBytes)
            {
                break;
            }
            reply.Set(AdminKeys.Node(count), path);
            reply.Set(AdminKeys.NodeValue(count), value);
            bytes += cost;
            count++;
        }
        return reply.Set(AdminKeys.Count, count);
    }
}
