namespace Ring.Shared.Abi;

/// <summary>enum xenbus_state (xen/io/xenbus.h); the values travel in control messages.</summary>
public enum XenbusState
{
    Unknown = 0,
    Initialising = 1,
    InitWait = 2,
    Initialised = 3,
    Connected = 4,
    Closing = 5,
    Closed = 6,
    Reconfiguring = 7,
    Reconfigured = 8,
}
