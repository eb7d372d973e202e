namespace Ring.Shared.Control;

/// <summary>Control-protocol message types (the xenbus handshake of DESIGN §4).</summary>
public enum ControlMessageType : ushort
{
    /// <summary>Backend → frontend on accept: feature keys and state InitWait.</summary>
    Hello = 1,
    /// <summary>Frontend → backend: its choices, the grant area and event channels (SCM_RIGHTS), state Connected.</summary>
    Connect = 2,
    /// <summary>Backend → frontend: the vif is up; state Connected, vif name, MAC.</summary>
    Connected = 3,
    /// <summary>Either side: a state change (Closing, Closed).</summary>
    State = 4,
    /// <summary>Either side: a refusal or failure; carries <c>reason</c>. The connection ends after it.</summary>
    Error = 5,
    /// <summary>netbackctl → daemon on the admin socket: <c>command=list|set</c>, <c>vif=</c>, <c>rate=</c>.</summary>
    AdminRequest = 6,
    /// <summary>Daemon → netbackctl: the answer to an AdminRequest (an Error instead when it fails).</summary>
    AdminReply = 7,
}
