using System.Globalization;
using System.Net;
using Netback.Daemon.Configuration;
using Netback.Daemon.Diagnostics;
using Netback.Daemon.Interface;
using Ring.Shared.Abi;
using Ring.Shared.Control;
using Ring.Shared.Rings;

namespace Netback.Daemon.Admin;

/// <summary>
/// One live vif as <c>netbackctl show</c> lists it, path by path: <c>summary/</c> (what was
/// negotiated and is in force), <c>backend/</c> and <c>frontend/</c> (every key each side wrote, as
/// xenstore's <c>backend/vif/&lt;domid&gt;/&lt;devid&gt;</c> and <c>device/vif/&lt;devid&gt;</c> would hold them),
/// then per queue its worker thread, its rings' indices read from the shared pages, and its counters.
/// Read on the admin thread: counters and indices only (tear-free reads, never a write), the
/// thread's CPU from procfs.
/// </summary>
internal static class VifNodes
{
    public static List<(string Path, string Value)> List(Vif vif)
    {
        var nodes = new List<(string, string)>(128);
        Summary(vif, nodes);
        Backend(vif, nodes);
        if (vif.Negotiation is { } negotiation)
        {
            foreach (var (key, value) in negotiation.Frontend)
            {
                nodes.Add(($"{AdminKeys.FrontendNode}/{AdminText.Printable(key)}", AdminText.Printable(value)));
            }
        }
        Queues(vif, nodes);
        return nodes;
    }

    private static void Summary(Vif vif, List<(string, string)> nodes)
    {
        var plan = vif.Plan;
        void Add(string key, string value) => nodes.Add(($"{AdminKeys.SummaryNode}/{key}", value));
        Add(AdminKeys.Name, vif.Name);
        Add(AdminKeys.DomId, Number(vif.Identity.DomId));
        Add(AdminKeys.Handle, Number(vif.Identity.Handle));
        Add("state", vif.IsBroken ? $"closing: {AdminText.Printable(vif.BreakReason ?? "broken")}" : "connected");
        Add(AdminKeys.Mac, XenMac.Format(vif.Mac));
        Add("ip", plan.Ips.Count == 0 ? "none" : Ips(plan.Ips));
        Add("bridge", plan.Bridge ?? "none");
        Add(AdminKeys.Rate, vif.Rate?.ToString() ?? AdminKeys.RateNone);
        Add("mtu", Number(vif.Mtu));
        Add(AdminKeys.Queues, Number(plan.Queues.Count));
        Add(XenbusKeys.RingPageOrder, Number(plan.RingPageOrder));
        Add("tx-ring-slots", Number(RingGeometry.For(RingKind.Tx, plan.Layout, plan.RingPageOrder).Size));
        Add("rx-ring-slots", Number(RingGeometry.For(RingKind.Rx, plan.Layout, plan.RingPageOrder).Size));
        Add(XenbusKeys.RingLayout, plan.Layout.ToKey());
        Add("event-channels", plan.SplitEventChannels ? "split" : "single");
        Add(AdminKeys.Threads, vif.Threads);
        Add("tx-copy", plan.Offloads.TxCopy.ToKey());
        Add("offloads-tx", VifOffloads.Describe(plan.Offloads.Tx));
        Add("offloads-rx", VifOffloads.Describe(plan.Offloads.Rx));
        Add("anti-spoofing", plan.AntiSpoofing ? "on" : "off");
        Add("placement", plan.Placement.Description);
        Add("event-suppression", plan.EventSuppression ? "on" : "off");
        Add(XenbusKeys.GrantPages, Number(plan.GrantPages));
    }

    /// <summary>
    /// The backend's node: its Hello and Connected keys, the live state in place of the one it wrote
    /// (5, Closing, once broken), and what the toolstack writes there in Xen (libxl's
    /// <c>frontend</c>, <c>frontend-id</c>, <c>bridge</c>, <c>ip</c>, <c>rate</c>: here the operator's
    /// settings, the rate as in force now and in xl's syntax).
    /// </summary>
    private static void Backend(Vif vif, List<(string, string)> nodes)
    {
        var keys = new List<KeyValuePair<string, string>>(vif.Negotiation?.Backend ?? []);
        void Write(string key, string value)
        {
            int at = keys.FindIndex(e => e.Key == key);
            if (at >= 0)
            {
                keys[at] = new(key, value);
            }
            else
            {
                keys.Add(new(key, value));
            }
        }
        Write(XenbusKeys.State, Number((int)(vif.IsBroken ? XenbusState.Closing : XenbusState.Connected)));
        Write("frontend", $"/local/domain/{Number(vif.Identity.DomId)}/device/vif/{Number(vif.Identity.Handle)}");
        Write("frontend-id", Number(vif.Identity.DomId));
        if (vif.Plan.Bridge is { } bridge)
        {
            Write("bridge", bridge);
        }
        if (vif.Plan.Ips.Count > 0)
        {
            Write("ip", Ips(vif.Plan.Ips));
        }
        if (vif.Rate is { } rate)
        {
            Write(AdminKeys.Rate, rate.ToString());
        }
        foreach (var (key, value) in keys)
        {
            nodes.Add(($"{AdminKeys.BackendNode}/{key}", AdminText.Printable(value)));
        }
    }

    private static void Queues(Vif vif, List<(string, string)> nodes)
    {
        var rings = vif.ReadRings();
        for (int i = 0; i < vif.Queues.Count; i++)
        {
            var q = vif.Queues[i];
            string at = $"queue-{Number(i)}/";
            int tid = q.WorkerTid;
            string worker = q.WorkerName;
            nodes.Add((at + "worker/name", worker));
            nodes.Add((at + "worker/tid", tid == 0 ? "not started" : Number(tid)));
            nodes.Add((at + "worker/cpu", ThreadCpu.LastCpu(tid, worker) is { } cpu ? Number(cpu) : "none (not running)"));
            // The mask in force (the kernel's), not the one asked for: a failed pin shows as the machine's.
            string affinity = ThreadAffinity.AllowedList(tid) ?? "none (not running)";
            nodes.Add((at + "worker/affinity", q.PlacementErrno == 0 ? affinity
                : $"{affinity} (sched_setaffinity failed: errno {Number(q.PlacementErrno)}; placement {AdminText.Printable(vif.Plan.Placement.ForQueue(i)?.ToString() ?? "")} not applied)"));
            if (q.RxWorkerName is { } rxWorker)
            {
                // split: the guest-RX thread of the queue (worker/ is its guest-TX thread).
                int rxTid = q.RxWorkerTid;
                nodes.Add((at + "rx-worker/name", rxWorker));
                nodes.Add((at + "rx-worker/tid", rxTid == 0 ? "not started" : Number(rxTid)));
                nodes.Add((at + "rx-worker/cpu", ThreadCpu.LastCpu(rxTid, rxWorker) is { } rxCpu ? Number(rxCpu) : "none (not running)"));
                nodes.Add((at + "rx-worker/affinity", ThreadAffinity.AllowedList(rxTid) ?? "none (not running)"));
            }
            if (rings is not null && i < rings.Length)
            {
                Ring(nodes, at + "tx/", rings[i].Tx, "unconsumed");
                Ring(nodes, at + "rx/", rings[i].Rx, "posted");
            }
            else
            {
                nodes.Add((at + "rings", "unmapped (torn down)"));
            }
            QueueStatNames.Each(q.Counters, (name, value) => nodes.Add((at + "stats/" + name, Number(value))));
        }
    }

    /// <summary>ring.h's six indices, and the requests waiting (TX) or the buffers posted (RX): req_prod - req_cons.</summary>
    private static void Ring(List<(string, string)> nodes, string at, RingIndices r, string waiting)
    {
        nodes.Add((at + "req_prod", Number(r.ReqProd)));
        nodes.Add((at + "req_cons", Number(r.ReqCons)));
        nodes.Add((at + "rsp_prod", Number(r.RspProd)));
        nodes.Add((at + "rsp_prod_pvt", Number(r.RspProdPvt)));
        nodes.Add((at + "req_event", Number(r.ReqEvent)));
        nodes.Add((at + "rsp_event", Number(r.RspEvent)));
        nodes.Add((at + waiting, Number(r.Unconsumed)));
    }

    /// <summary>xl's <c>ip=</c>: addresses separated by spaces, a single address bare.</summary>
    private static string Ips(IReadOnlyList<IPNetwork> ips) => string.Join(' ', ips.Select(n =>
        n.PrefixLength == (n.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)
            ? n.BaseAddress.ToString() : n.ToString()));

    private static string Number(long n) => n.ToString(CultureInfo.InvariantCulture);
}
