namespace Netback.Daemon.DataPath;

/// <summary>What one budgeted turn of a <see cref="QueueService{TIo}"/> left behind.</summary>
internal enum ServiceStep
{
    /// <summary>Neither direction used its whole budget: the queue goes to its final checks.</summary>
    Done,

    /// <summary>A direction used its whole budget: the queue has another turn this round.</summary>
    More,

    /// <summary>The frontend broke the vif (its fatal error is reported): the queue leaves its worker.</summary>
    Failed,
}
