namespace Netfront.Client;

/// <summary>
/// The frontend cannot attach or has lost its backend: the message says why in one line (the
/// backend's <c>reason</c> when it sent an Error).
/// </summary>
public sealed class NetfrontException : Exception
{
    /// <summary>Creates an exception with a one-line reason.</summary>
    public NetfrontException(string message) : base(message) { }

    /// <summary>Creates an exception with a one-line reason and its cause.</summary>
    public NetfrontException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates an exception without a message.</summary>
    public NetfrontException() { }

    /// <summary>The reason the backend gave (its Error or Closing message), when it gave one.</summary>
    public string? BackendReason { get; init; }
}
