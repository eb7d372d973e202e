namespace Ring.Shared.Abi;

/// <summary>NETRXF_*: guest-RX response flags (note the csum bits are swapped compared with TX).</summary>
[Flags]
public enum NetRxFlags : ushort
{
    None = 0,
    DataValidated = 1 << 0,
    CsumBlank = 1 << 1,
    MoreData = 1 << 2,
    ExtraInfo = 1 << 3,
    GsoPrefix = 1 << 4,
}
