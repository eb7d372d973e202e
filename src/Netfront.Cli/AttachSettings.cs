using System.CommandLine;
using System.CommandLine.Parsing;
using Ring.Shared.Abi;
using Ring.Shared.Rings;
using Netfront.Client;

namespace Netfront.Cli;

/// <summary>What <c>netfront attach</c> was asked to do, parsed and range-checked.</summary>
internal sealed record AttachSettings(
    NetfrontOptions Frontend,
    string GuestName,
    Ipv4Prefix? Address,
    int? Mtu,
    bool Reconnect = true,
    int PollMicroseconds = 0,
    bool SplitThreads = false);
