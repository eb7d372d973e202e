using System.ComponentModel;
using System.Net.Sockets;
using Ring.Shared.Abi;
using Ring.Shared.Control;
using Ring.Shared.Interop;
using Netback.Tests.Shared.Control;
using Netback.Tests.Support;

namespace Netback.Tests.Fuzz;

/// <summary>
/// One control connection per case: random, truncated, oversize, mutated and out-of-order control
/// messages, Connects with bogus fds or broken keys, garbage after a good Connect, and hang-ups.
/// Whatever the backend answers is read until it closes or goes quiet.
/// </summary>
internal sealed class ControlFuzzer(string socketPath, Random rng, FuzzTally tally) : IDisposable
{
    private static readonly string[] BadValues =
        ["", "-1", "0", "1", "4294967296", "99999999999999999999", "abc", ",", "1,", "0,0", "9,9", "1,2,3", "xen", "cacheline", "\u00e9"];

    private readonly BogusFds _bogus = new();

    public void Run(Func<bool> stop)
    {
        while (!stop())
        {
            try
            {
                OneCase();
            }
            catch (Exception e) when (e is Win32Exception or SocketException or ControlChannelClosedException or TimeoutException)
            {
                // the backend hung up first: an answer too
            }
            catch (Exception e)
            {
                tally.HarnessError("control fuzzer", e);
            }
        }
    }

    private void OneCase()
    {
        using var f = HostileFrontend.Open(socketPath);
        tally.Session();
        var fds = f.StandardFds();
        switch (rng.Next(10))
        {
            case 0:
                tally.Case("ctl-random-bytes");
                byte[] noise = new byte[rng.Next(8) == 0 ? rng.Next(70_000) : rng.Next(64)];
                rng.NextBytes(noise);
                SocketPair.SendRaw(f.Channel, noise, RandomFds(rng.Next(4)));
                break;
            case 1:
                tally.Case("ctl-truncated");
                byte[] whole = ControlCodec.Encode(HostileFrontend.StandardConnect(), fds.Length);
                SocketPair.SendRaw(f.Channel, whole[..rng.Next(whole.Length)], Raw(fds));
                break;
            case 2:
                tally.Case("ctl-oversize");
                SocketPair.SendRaw(f.Channel, Oversize(), Raw(fds));
                break;
            case 3:
                tally.Case("ctl-mutated");
                byte[] record = ControlCodec.Encode(HostileFrontend.StandardConnect(), fds.Length);
                for (int n = rng.Next(1, 7); n > 0; n--)
                {
                    record[rng.Next(record.Length)] = (byte)rng.Next(256);
                }
                SocketPair.SendRaw(f.Channel, record, Raw(fds));
                break;
            case 4:
                tally.Case("ctl-out-of-order");
                var early = new ControlMessage((ControlMessageType)rng.Next(1, 6)) { State = (XenbusState)rng.Next(0, 9) };
                f.Channel.Send(early, rng.Next(3) == 0 ? [_bogus.Pick(rng)] : default);
                if (rng.Next(2) == 0)
                {
                    f.SendConnect(HostileFrontend.StandardConnect(), fds);
                }
                break;
            case 5:
                tally.Case("ctl-bogus-fds");
                f.SendConnect(HostileFrontend.StandardConnect(), BogusSet(fds));
                break;
            case 8:
                // A grant area that is a memfd and sealed, yet refused: hugetlbfs, write-sealed. Refused
                // with its reason, and the backend's copy closed before the Error (the fd baseline).
                var (kind, area) = _bogus.PickGrantArea(rng);
                tally.Case($"ctl-grant-area-{kind}");
                fds[0] = area;
                f.SendConnect(HostileFrontend.StandardConnect(), fds);
                break;
            case 6:
                tally.Case("ctl-bad-keys");
                f.SendConnect(BadKeys(), fds);
                break;
            case 7:
                tally.Case("ctl-garbage-after-connect");
                f.SendConnect(HostileFrontend.StandardConnect(), fds);
                f.ReceiveControl(TimeSpan.FromSeconds(2)); // Connected, or a refusal
                AfterConnect(f);
                break;
            default:
                tally.Case("ctl-hangup");
                if (rng.Next(2) == 0)
                {
                    return; // gone straight after Hello
                }
                f.Channel.Shutdown();
                break;
        }
        DrainReplies(f);
    }

    private void AfterConnect(HostileFrontend f)
    {
        switch (rng.Next(4))
        {
            case 0:
                f.SendConnect(HostileFrontend.StandardConnect(), f.StandardFds());
                break;
            case 1:
                f.Channel.Send(new ControlMessage(ControlMessageType.State) { State = (XenbusState)rng.Next(0, 9) });
                break;
            case 2:
                f.Channel.Send(new ControlMessage(ControlMessageType.State) { State = XenbusState.Connected }, [_bogus.Pick(rng)]);
                break;
            default:
                byte[] noise = new byte[rng.Next(1, 200)];
                rng.NextBytes(noise);
                SocketPair.SendRaw(f.Channel, noise, default);
                break;
        }
    }

    /// <summary>Reads what the backend says until it closes (the usual end) or has been quiet for a moment.</summary>
    private static void DrainReplies(HostileFrontend f)
    {
        for (int i = 0; i < 4; i++)
        {
            try
            {
                f.ReceiveControl(TimeSpan.FromMilliseconds(250));
            }
            catch (Exception e) when (e is ControlChannelClosedException or TimeoutException or ControlProtocolException)
            {
                return;
            }
        }
    }

    private byte[] Oversize()
    {
        var parts = new List<byte[]>();
        foreach (var (k, v) in HostileFrontend.StandardConnect().Entries)
        {
            parts.Add(RawRecord.Z(k));
            parts.Add(RawRecord.Z(v));
        }
        switch (rng.Next(4))
        {
            case 0: // one value over MaxValueBytes
                parts.Add(RawRecord.Z("vifspec"));
                parts.Add(RawRecord.Z(new string('m', ControlCodec.MaxValueBytes + rng.Next(1, 3000))));
                return RawRecord.Build(parts, fds: 5);
            case 1: // more entries than MaxEntries
                for (int i = 0; i < ControlCodec.MaxEntries + 1; i++)
                {
                    parts.Add(RawRecord.Z($"k{i}"));
                    parts.Add(RawRecord.Z("v"));
                }
                return RawRecord.Build(parts, fds: 5);
            case 2: // a whole record over MaxMessageBytes
                for (int i = 0; i < 40; i++)
                {
                    parts.Add(RawRecord.Z($"key-{i}"));
                    parts.Add(RawRecord.Z(new string('v', 1000)));
                }
                return RawRecord.Build(parts, fds: 5);
            default: // the header lies about the payload
                return RawRecord.Build(parts, fds: 5, payloadLength: (uint)rng.Next());
        }
    }

    private ControlMessage BadKeys()
    {
        var good = HostileFrontend.StandardConnect();
        var m = new ControlMessage(ControlMessageType.Connect) { State = rng.Next(4) == 0 ? (XenbusState)rng.Next(0, 9) : XenbusState.Connected };
        int victim = rng.Next(good.Entries.Count);
        bool drop = rng.Next(3) == 0;
        for (int i = 0; i < good.Entries.Count; i++)
        {
            var (k, v) = good.Entries[i];
            if (i != victim)
            {
                m.Set(k, v);
            }
            else if (!drop)
            {
                m.Set(k, rng.Next(3) == 0 ? rng.Next(int.MinValue, int.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture) : BadValues[rng.Next(BadValues.Length)]);
            }
        }
        return m;
    }

    /// <summary>The standard five with 1-3 replaced by bogus ones, or one too few, or extras.</summary>
    private FileDescriptorHandle[] BogusSet(FileDescriptorHandle[] standard)
    {
        switch (rng.Next(4))
        {
            case 0:
                return standard[..rng.Next(standard.Length)];
            case 1:
                return [.. standard, .. Enumerable.Range(0, rng.Next(1, 4)).Select(_ => _bogus.Pick(rng))];
            default:
                var set = (FileDescriptorHandle[])standard.Clone();
                for (int n = rng.Next(1, 4); n > 0; n--)
                {
                    set[rng.Next(set.Length)] = _bogus.Pick(rng);
                }
                return set;
        }
    }

    private int[] RandomFds(int count) => Enumerable.Range(0, count).Select(_ => Native.Raw(_bogus.Pick(rng))).ToArray();

    private static int[] Raw(FileDescriptorHandle[] fds) => fds.Select(Native.Raw).ToArray();

    public void Dispose() => _bogus.Dispose();
}
