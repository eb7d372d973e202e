namespace Ring.Shared.Interop;

/// <summary>What <see cref="ChildProcess.Wait"/> saw.</summary>
internal enum ChildEvent
{
    /// <summary>Nothing within the time given (or a signal interrupted the wait).</summary>
    None,

    /// <summary>Bytes of the child's stderr were read.</summary>
    Output,

    /// <summary>Its stderr is at end of file: the child and everything it started closed it.</summary>
    OutputClosed,

    /// <summary>The child exited (it stays a zombie until <see cref="ChildProcess.Reap"/>).</summary>
    Exited,
}
