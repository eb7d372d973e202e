using System.Diagnostics;
using Netfront.Client;

namespace Netback.Tests.Client;

/// <summary>
/// A numbered burst both ways as work for the library's queue driver: numbered frames out
/// (copied with TrySend, or written in place with TryBeginSend/CommitSend), every frame in checked
/// for content and order. The host end is a socket with a bounded buffer where a real TAP has the
/// kernel's stack: at most <c>window</c> frames are kept unread by the host (its reader's count, or
/// ours for a reflector), and the driver is told to look again after 1 ms while the window is what
/// stops TX (host progress signals no call fd). Allocation-free per frame.
/// </summary>
internal struct BurstWork : INetfrontQueueWork
{
    private readonly NetfrontQueue _queue;
    private readonly byte[] _frame;
    private readonly byte[] _gather = new byte[65536];
    private readonly byte _rxStream;
    private readonly byte _txStream;
    private readonly int _minSize;
    private readonly int _maxSize;
    private readonly uint _toGuest;
    private readonly uint _fromGuest;
    private readonly long _deadline;
    private readonly long[]? _hostProgress;
    private readonly int _window;
    private readonly bool _zeroCopy;
    private uint _sent;
    private uint _received;
    private int _nextSize;

    /// <param name="first">Frames are numbered from here: toGuest and fromGuest count from it.</param>
    public BurstWork(NetfrontQueue queue, byte[] frame, int toGuest, int fromGuest, byte rxStream, byte txStream,
        int minSize, int maxSize, TimeSpan timeout, uint first = 0, long[]? hostProgress = null, int window = 0, bool zeroCopy = false)
    {
        _queue = queue;
        _frame = frame;
        _rxStream = rxStream;
        _txStream = txStream;
        _minSize = minSize;
        _maxSize = maxSize;
        _toGuest = (uint)toGuest + first;
        _fromGuest = (uint)fromGuest + first;
        _deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        _hostProgress = hostProgress;
        _window = window;
        _zeroCopy = zeroCopy;
        _sent = first;
        _received = first;
        _nextSize = Frames.SizeOf(first, minSize, maxSize);
    }

    /// <summary>What went wrong, or null.</summary>
    public string? Error { get; private set; }

    /// <summary>Sleeps the driver was allowed.</summary>
    public long Waits { get; private set; }

    public readonly int TxWorkFd => -1;

    public readonly int RxBudget => Error is null ? NetfrontQueueDriver<BurstWork>.Budget : 0;

    public readonly int TxSlotsWanted =>
        Error is null && _sent < _fromGuest && !WindowFull ? (_nextSize + NetfrontQueue.MaxSlotFrame - 1) / NetfrontQueue.MaxSlotFrame : 0;

    public readonly bool IsDone => Error is not null || (_sent >= _fromGuest && _received >= _toGuest);

    private readonly bool WindowFull
    {
        get
        {
            long hostDone = _hostProgress is null ? _received : Volatile.Read(ref _hostProgress[0]);
            return _window > 0 && _sent - hostDone >= _window;
        }
    }

    public int Transmit(NetfrontQueue queue, int budget)
    {
        int sent = 0;
        while (Error is null && sent < budget && _sent < _fromGuest && !WindowFull)
        {
            if (_zeroCopy)
            {
                if (!queue.TryBeginSend(out Span<byte> page, out int token))
                {
                    break;
                }
                queue.CommitSend(token, Frames.Fill(page, _sent, _txStream, _nextSize));
            }
            else if (!queue.TrySend(_frame.AsSpan(0, Frames.Fill(_frame, _sent, _txStream, _nextSize))))
            {
                break;
            }
            sent++;
            _sent++;
            _nextSize = Frames.SizeOf(_sent, _minSize, _maxSize);
        }
        return sent;
    }

    public void OnFrame(in RxFrame frame)
    {
        if (Error is not null)
        {
            return;
        }
        if (_received >= _toGuest)
        {
            Error = $"an extra frame arrived after {_toGuest}";
            return;
        }
        ReadOnlySpan<byte> data = frame.Segments.Length == 1 ? frame.Segments[0].Span : _gather.AsSpan(0, frame.CopyTo(_gather));
        if (Frames.Check(data, _received, _rxStream, Frames.SizeOf(_received, _minSize, _maxSize)) is { } e)
        {
            Error = $"guest: {e}";
            return;
        }
        _received++;
    }

    public readonly void OnTxWorkReadable()
    {
    }

    public int SleepTimeout()
    {
        if (Stopwatch.GetTimestamp() > _deadline)
        {
            Error = $"timed out: sent {_sent}/{_fromGuest}, received {_received}/{_toGuest}, TX in flight {_queue.TxInFlight}";
            return 0;
        }
        Waits++;
        return WindowFull ? 1 : 200;
    }
}
