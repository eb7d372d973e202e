using CsCheck;
using Ring.Shared.Control;

namespace Netback.Tests.Shared.Control;

/// <summary>Whatever a peer sends, decoding either yields a message or a ControlProtocolException.</summary>
public sealed class ControlCodecPropertyTests
{
    private static readonly Gen<string> Key =
        Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789-/_"].Array[1, ControlCodec.MaxKeyBytes].Select(c => new string(c));

    private static readonly Gen<string> Value =
        Gen.Char["abcXYZ 0123456789,:=.-éü中✓"].Array[0, 100].Select(c => new string(c));

    private static readonly Gen<ControlMessage> Message =
        Gen.Select(Gen.Int[1, 5], Gen.Select(Key, Value).Array[0, 20]).Select((type, entries) =>
        {
            var m = new ControlMessage((ControlMessageType)type);
            foreach (var (k, v) in entries)
            {
                m.Set(k, v);
            }
            return m;
        });

    private static void DecodeOrRefuse(byte[] record, int fds)
    {
        try
        {
            ControlCodec.Decode(record, fds);
        }
        catch (ControlProtocolException)
        {
        }
    }

    [Fact]
    public void Valid_messages_round_trip() =>
        Gen.Select(Message, Gen.Int[0, ControlCodec.MaxFds]).Sample((message, fds) =>
        {
            var decoded = ControlCodec.Decode(ControlCodec.Encode(message, fds), fds);
            return decoded.Type == message.Type && decoded.Entries.SequenceEqual(message.Entries);
        }, iter: 2_000);

    [Fact]
    public void Random_bytes_never_throw_anything_else() =>
        Gen.Select(Gen.Byte.Array[0, 300], Gen.Int[0, 3]).Sample((bytes, fds) => DecodeOrRefuse(bytes, fds), iter: 10_000);

    [Fact]
    public void A_valid_header_with_random_payload_never_throws_anything_else() =>
        Gen.Select(Gen.Byte[0, 255].Array[0, 400], Gen.UShort[0, 40], Gen.Int[0, 2]).Sample((payload, entries, fds) =>
        {
            var parts = new[] { payload };
            DecodeOrRefuse(RawRecord.Build(parts, entries: entries, fds: fds), fds);
        }, iter: 20_000);

    [Fact]
    public void Mutated_valid_records_never_throw_anything_else() =>
        Gen.Select(Message, Gen.Select(Gen.Int[0, 100_000], Gen.Byte).Array[1, 8]).Sample((message, edits) =>
        {
            byte[] record = ControlCodec.Encode(message, 0);
            foreach (var (at, value) in edits)
            {
                record[at % record.Length] = value;
            }
            DecodeOrRefuse(record, 0);
        }, iter: 5_000);
}
