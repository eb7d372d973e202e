namespace Ring.Shared.Abi;

/// <summary>NETTXF_*: guest-TX slot flags.</summary>
[Flags]
public enum NetTxFlags : ushort
{
    None = 0,
    CsumBlank = 1 << 0,
    DataValidated = 1 << 1,
    MoreData = 1 << 2,
    ExtraInfo = 1 << 3,
}
