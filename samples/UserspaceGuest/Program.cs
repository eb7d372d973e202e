using System.Runtime.InteropServices;
using Netfront.Client;
using UserspaceGuest;

// A guest with no TAP and no kernel stack: this process is the guest. It attaches to netbackd as a
// frontend and answers ARP, ICMP echo and UDP echo for its one IPv4 address, on the async API.
if (!GuestOptions.TryParse(args, out GuestOptions? options, out string? error))
{
    Console.Error.WriteLine($"userspace-guest: {error}");
    Console.Error.WriteLine(GuestOptions.Usage);
    return 2;
}
using var stop = new CancellationTokenSource();
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
try
{
    await using var nic = NetfrontAsyncDevice.Connect(new NetfrontOptions { SocketPath = options.SocketPath, Queues = options.Queues });
    var responder = new Responder(nic.Device.Mac.GetAddressBytes(), options.Address, options.UdpEchoPort);
    Console.WriteLine($"guest {nic.Device.VifName} mac {nic.Device.Mac} address {options.Address} udp-echo {options.UdpEchoPort} queues {nic.Device.Queues.Count}");
    byte[] reply = new byte[nic.Device.Mtu + 18];
    await foreach (NetfrontFrame frame in nic.Frames.ReadAllAsync(stop.Token))
    {
        using (frame)
        {
            int length = responder.Answer(frame.Span, reply);
            if (length > 0)
            {
                await nic.SendAsync(reply.AsMemory(0, length), stop.Token);
            }
        }
    }
    return 0;
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    return 0; // SIGINT/SIGTERM: Dispose tells the backend Closing
}
catch (NetfrontException e)
{
    Console.Error.WriteLine($"userspace-guest: {e.Message}");
    return 1;
}
