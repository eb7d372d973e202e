using System.Buffers.Binary;
using System.Diagnostics;
using Netback.Tests.Client;
using Netfront.Client;

namespace Netback.Tests.Daemon.DataPath;

/// <summary>
/// A request/response frontend: sends frame i, waits for its echo, pauses a pseudo-random 0..maxGap µs
/// (so each side's polling window is sometimes still open and sometimes just closed when the next
/// frame comes), sends frame i + 1. A lost wake-up on either side stalls it until the deadline.
/// </summary>
internal struct PingPongWork(byte[] frame, int count, int maxGapMicroseconds, TimeSpan timeout) : INetfrontQueueWork
{
    private readonly long _deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
    private uint _random = 2463534242;
    private long _sendAt;
    private bool _awaiting;

    /// <summary>Echoes received in order.</summary>
    public int Echoes;

    /// <summary>The first echo that was not the frame last sent, if any.</summary>
    public string? Mismatch;

    public readonly int TxWorkFd => -1;

    public readonly int RxBudget => 64;

    public readonly int TxSlotsWanted => _awaiting ? 0 : 1;

    public readonly bool IsDone => Echoes >= count || Mismatch is not null;

    public int Transmit(NetfrontQueue queue, int budget)
    {
        if (_awaiting || Echoes >= count || Stopwatch.GetTimestamp() < _sendAt)
        {
            return 0;
        }
        BinaryPrimitives.WriteInt32LittleEndian(frame.AsSpan(14), Echoes);
        if (!queue.TrySend(frame))
        {
            return 0;
        }
        _awaiting = true;
        return 1;
    }

    public void OnFrame(in RxFrame received)
    {
        Span<byte> copy = stackalloc byte[128];
        if (received.Length > copy.Length)
        {
            Mismatch ??= $"an echo of {received.Length} bytes";
            return;
        }
        received.CopyTo(copy);
        int seq = BinaryPrimitives.ReadInt32LittleEndian(copy[14..]);
        if (!_awaiting || seq != Echoes)
        {
            Mismatch ??= $"echo {seq} while waiting for {Echoes} (awaiting {_awaiting})";
            return;
        }
        _awaiting = false;
        Echoes++;
        _random ^= _random << 13;
        _random ^= _random >> 17;
        _random ^= _random << 5;
        _sendAt = Stopwatch.GetTimestamp() + _random % (uint)(maxGapMicroseconds + 1) * Stopwatch.Frequency / 1_000_000;
    }

    public readonly void OnTxWorkReadable()
    {
    }

    public readonly int SleepTimeout()
    {
        if (!_awaiting)
        {
            long wait = _sendAt - Stopwatch.GetTimestamp();
            return wait <= 0 ? 0 : (int)Math.Max(1, wait * 1000 / Stopwatch.Frequency);
        }
        return FrontendDriver.SleepUntil(_deadline, $"echo {Echoes} of {count} did not come within {timeout.TotalSeconds:0.#} s");
    }
}
