using Microsoft.Extensions.Logging;

namespace Netback.Daemon.Interface;

/// <summary>The declarations' log events (ids 50..59): what was loaded at start, and what was not.</summary>
internal static partial class DeclarationLog
{
    [LoggerMessage(50, LogLevel.Information, "Declared vifs: {Configured} from Netback:Vifs, {Runtime} from {StateFile}")]
    public static partial void Loaded(ILogger logger, int configured, int runtime, string stateFile);

    [LoggerMessage(51, LogLevel.Warning, "{StateFile}: runtime declaration of domid {DomId} devid {DevId} ({Owner}) dropped: {Reason}; the configuration wins, and the next change rewrites the file without it")]
    public static partial void RuntimeDropped(ILogger logger, string stateFile, int domId, int devId, string owner, string reason);
}
