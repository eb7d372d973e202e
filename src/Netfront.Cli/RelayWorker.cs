using Netback.Ring.Abi;
using Netback.Ring.Events;
using Netback.Ring.Interop;
using Netfront.Client;
using Tmds.Linux;

namespace Netfront.Cli;

/// <summary>
/// One queue's relay thread (<c>netfront-qN</c>): netfront's TX path and NAPI poll in one epoll loop
/// over the guest TAP queue fd (EPOLLIN only while TX slots are free), the TX and RX call eventfds
/// and the stop eventfd. Guest TX: <c>read()</c> a TAP frame straight into a granted page, up to 64
/// per batch, then one push. Guest RX: each received frame is <c>write()</c>n to the TAP, buffers
/// are re-posted and pushed. It sleeps only after ring.h's final checks.
/// </summary>
internal sealed unsafe class RelayWorker : IFrameSink
{
    /// <summary>Frames per direction per round, as netfront's NAPI weight.</summary>
    private const int Budget = 64;

    private const ulong TokenStop = 0;
    private const ulong TokenTap = 1;
    private const ulong TokenTxCall = 2;
    private const ulong TokenRxCall = 3;

    private readonly NetfrontQueue _queue;
    private readonly FileDescriptorHandle _tap;
    private readonly EventChannel _stop;
    private readonly Action<string> _onFailure;
    private readonly Thread _thread;
    /// <summary>Frames that may not fit one page (MTU above ~4 KiB) are read into this and copied.</summary>
    private readonly byte[]? _scratch;
    private readonly int _slotsPerFrame;
    private int _tapFd = -1;
    private bool _tapMaybeReadable = true;

    public RelayWorker(NetfrontQueue queue, FileDescriptorHandle tap, EventChannel stop, int mtu, Action<string> onFailure)
    {
        _queue = queue;
        _tap = tap;
        _stop = stop;
        _onFailure = onFailure;
        // Ethernet header + a VLAN tag on top of the MTU.
        int maxFrame = mtu + NetifLimits.EthHeaderLength + 4;
        if (maxFrame > NetfrontQueue.MaxSlotFrame)
        {
            _scratch = new byte[Math.Min(maxFrame, NetifLimits.MaxTxSize)];
            _slotsPerFrame = (_scratch.Length + NetfrontQueue.MaxSlotFrame - 1) / NetfrontQueue.MaxSlotFrame;
        }
        else
        {
            _slotsPerFrame = 1;
        }
        _thread = new Thread(Run) { Name = $"netfront-q{queue.Index}", IsBackground = true };
    }

    /// <summary>Frames the TAP refused (interface down, no buffer).</summary>
    public long TapWriteErrors;

    public void Start() => _thread.Start();

    public void Join()
    {
        if (_thread.ThreadState != ThreadState.Unstarted)
        {
            _thread.Join();
        }
    }

    private void Run()
    {
        try
        {
            // Raw fds only under a reference held for the thread's life.
            using var tap = new HandleLease(_tap);
            using var stop = new HandleLease(_stop.Handle);
            if (!tap.IsValid || !stop.IsValid)
            {
                return; // torn down before the thread ran
            }
            _tapFd = tap.Value;
            using var epoll = new Epoll();
            epoll.Add(stop.Value, Epoll.In, TokenStop);
            epoll.Add(_tapFd, Epoll.In, TokenTap);
            epoll.Add(_queue.TxCallFd, Epoll.In, TokenTxCall);
            if (_queue.SplitEventChannels)
            {
                epoll.Add(_queue.RxCallFd, Epoll.In, TokenRxCall);
            }
            Loop(epoll);
        }
        catch (Exception e)
        {
            _onFailure($"queue {_queue.Index} relay failed: {e.Message}");
        }
    }

    private void Loop(Epoll epoll)
    {
        Span<epoll_event> events = stackalloc epoll_event[4];
        bool tapArmed = true;
        while (true)
        {
            bool more;
            do
            {
                _queue.ReclaimTxResponses();
                more = _queue.ReceiveBatch(this, Budget) == Budget;
                more |= PumpTap() == Budget;
                _queue.PushTransmits();
            }
            while (more);

            // RING_FINAL_CHECK_FOR_RESPONSES on RX: arm rsp_event, fence, look again.
            if (_queue.FinalCheckForRxResponses())
            {
                continue;
            }
            // TX completions matter only when slots have run out: then stop reading the TAP and ask
            // for a TX call; otherwise responses are reclaimed on the next round anyway.
            bool needSlots = _queue.FreeTxSlots < _slotsPerFrame;
            if (needSlots && _queue.FinalCheckForTxResponses())
            {
                continue;
            }
            if (needSlots == tapArmed)
            {
                epoll.Modify(_tapFd, needSlots ? 0 : Epoll.In, TokenTap);
                tapArmed = !needSlots;
                if (needSlots)
                {
                    _queue.Counters.TxRingFull++;
                }
            }

            int n = epoll.Wait(events, -1);
            _queue.Counters.Wakeups++;
            for (int i = 0; i < n; i++)
            {
                switch (events[i].data.u64)
                {
                    case TokenStop:
                        return;
                    case TokenTap:
                        _tapMaybeReadable = true;
                        break;
                    case TokenTxCall:
                        _queue.DrainTxCall();
                        break;
                    case TokenRxCall:
                        _queue.DrainRxCall();
                        break;
                }
            }
        }
    }

    /// <summary>Guest TX: moves up to <see cref="Budget"/> frames from the TAP into TX slots.</summary>
    private int PumpTap()
    {
        int frames = 0;
        while (_tapMaybeReadable && frames < Budget && _queue.FreeTxSlots >= _slotsPerFrame)
        {
            nint n;
            if (_scratch is null)
            {
                if (!_queue.TryBeginSend(out Span<byte> page, out int token))
                {
                    break;
                }
                fixed (byte* p = page)
                {
                    n = Uio.read(_tapFd, p, (nuint)page.Length); // straight into the granted page
                }
                if (n <= 0)
                {
                    _queue.CancelSend(token);
                    TapReadFailed(n);
                    break;
                }
                _queue.CommitSend(token, (int)n);
            }
            else
            {
                fixed (byte* p = _scratch)
                {
                    n = Uio.read(_tapFd, p, (nuint)_scratch.Length);
                }
                if (n <= 0)
                {
                    TapReadFailed(n);
                    break;
                }
                _queue.TrySend(new ReadOnlySpan<byte>(_scratch, 0, (int)n));
            }
            frames++;
        }
        return frames;
    }

    private void TapReadFailed(nint n)
    {
        int errno = NativeError.LastErrno;
        if (n == 0 || errno == NativeError.EAGAIN)
        {
            _tapMaybeReadable = false; // drained; EPOLLIN tells when more arrives
            return;
        }
        if (errno == NativeError.EINTR)
        {
            return;
        }
        throw NativeError.Exception($"read from TAP queue {_queue.Index}", errno);
    }

    /// <summary>Guest RX: one received frame goes to the guest's TAP queue.</summary>
    public void OnFrame(ReadOnlySpan<byte> frame)
    {
        fixed (byte* p = frame)
        {
            if (Uio.write(_tapFd, p, (nuint)frame.Length) < 0)
            {
                TapWriteErrors++;
            }
        }
    }
}
