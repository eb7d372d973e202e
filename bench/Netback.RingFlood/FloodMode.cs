using System.Globalization;

namespace Netback.RingFlood;

internal enum FloodMode
{
    Tx,
    Rx,
    SocketPair,
}
