using Spectre.Console;
using Spectre.Console.Rendering;

namespace Netback.Ctl;

/// <summary><c>stats</c> on a terminal: a Spectre.Console table, one row per queue, totals and rates per second short (1.23M).</summary>
internal static class StatsTable
{
    public static Table Build(IReadOnlyList<QueueSample> now, Func<QueueSample, QueueSample?> before, string caption)
    {
        var table = new Table { Border = TableBorder.Simple };
        table.AddColumn(new TableColumn("VIF"));
        table.AddColumn(new TableColumn("Q").RightAligned());
        foreach (var (title, _) in StatsColumns.All)
        {
            table.AddColumn(new TableColumn(title).RightAligned());
            table.AddColumn(new TableColumn("/s").RightAligned());
        }
        table.AddColumn(new TableColumn("DROPS BY REASON"));
        foreach (var q in now)
        {
            var prior = before(q);
            var cells = new List<IRenderable> { new Text(q.Vif), new Text(Format.Integer(q.Queue)) };
            foreach (var (_, key) in StatsColumns.All)
            {
                cells.Add(new Text(Format.Short(q[key])));
                cells.Add(new Text(q.PerSecond(prior, key) is { } rate ? Format.Short(Math.Round(rate, 1)) : "-"));
            }
            cells.Add(new Text(StatsColumns.DropReasons(q, prior)));
            table.AddRow(cells);
        }
        if (now.Count == 0)
        {
            table.AddRow(new Text("(no vif connected)"));
        }
        table.Caption = new TableTitle(Markup.Escape(caption));
        return table;
    }
}
