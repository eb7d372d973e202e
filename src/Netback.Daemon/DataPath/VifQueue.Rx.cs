using Netback.Ring.Abi;
using Netback.Ring.Events;
using Netback.Ring.Interop;

namespace Netback.Daemon.Interface;

/// <summary>
/// Guest RX (TAP → frontend), after netback's rx.c: read a frame from the TAP straight into the
/// pages the frontend posted, then write each response in the same ring slot as its request (Linux
/// netfront relies on it), <c>more_data</c> on all but the last slot of a frame.
/// </summary>
internal sealed unsafe partial class VifQueue
{
    private readonly NetifRxRequest[] _rxSlots = new NetifRxRequest[NetifLimits.FatalSkbSlots];
    private readonly uint _rxSlotsPerFrame;

    /// <summary>Pages needed for the largest frame the TAP can hand us (MTU + Ethernet + VLAN header).</summary>
    private static uint RxSlotsFor(int mtu) =>
        (uint)((mtu + NetifLimits.EthHeaderLength + 4 + NetifLimits.PageSize - 1) / NetifLimits.PageSize);

    /// <summary>Moves up to <paramref name="budget"/> frames from the TAP to the guest; returns how many.</summary>
    private int RxAction(int budget)
    {
        int packets = 0;
        while (packets < budget)
        {
            uint prod = _rx.ReadRequestProducer();
            if (_rx.RequestProducerOverflow(prod))
            {
                Fatal(DataPath.FatalReason.ImpossibleRequestCount,
                    $"rx req_prod {prod} req_cons {_rx.ReqCons} rsp_prod_pvt {_rx.RspProdPvt} ring size {_rx.Size}");
                return packets;
            }
            if (_rx.UnconsumedRequests(prod) < _rxSlotsPerFrame)
            {
                break; // not enough buffers posted: the worker waits for an RX kick
            }
            uint cons = _rx.ReqCons;
            int slots = (int)_rxSlotsPerFrame;
            for (int i = 0; i < slots; i++)
            {
                NetifRxRequest req = _rx.CopyRequest(cons + (uint)i);
                if (!IsDataGref(req.Gref))
                {
                    Fatal(DataPath.FatalReason.BadGref, $"rx slot gref {req.Gref} outside data pages {_dataPageFirst}..{_pageCount - 1}");
                    return packets;
                }
                _rxSlots[i] = req;
                _iov[i].iov_base = PageAddress(req.Gref);
                _iov[i].iov_len = NetifLimits.PageSize;
            }
            nint n = Uio.readv(_tapFd, _iov, slots);
            if (n <= 0)
            {
                if (n < 0 && NativeError.LastErrno != NativeError.EAGAIN)
                {
                    Counters.RxErrors++;
                }
                break; // EAGAIN: the TAP is empty
            }
            int used = (int)((n + NetifLimits.PageSize - 1) / NetifLimits.PageSize);
            int left = (int)n;
            for (int i = 0; i < used; i++)
            {
                int length = Math.Min(left, NetifLimits.PageSize);
                left -= length;
                _rx.WriteResponse(cons + (uint)i, new NetifRxResponse
                {
                    Id = _rxSlots[i].Id,
                    Offset = 0,
                    Flags = (ushort)(i < used - 1 ? NetRxFlags.MoreData : NetRxFlags.None),
                    Status = (short)length,
                });
            }
            // Responses sit in their requests' slots, so the response producer follows req_cons.
            _rx.ReqCons = cons + (uint)used;
            _rx.RspProdPvt = _rx.ReqCons;
            Counters.RxPackets++;
            Counters.RxBytes += n;
            packets++;
        }
        if (packets > 0 && _rx.PushResponsesAndCheckNotify())
        {
            EventChannel.Notify(_rxCallFd);
            Counters.NotificationsSent++;
        }
        return packets;
    }
}
