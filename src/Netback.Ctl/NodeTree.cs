using Ring.Shared.Text;

namespace Netback.Ctl;

/// <summary>
/// Paths and values printed as <c>xenstore-ls</c> prints a directory: one node per line,
/// <c>name = "value"</c>, each level one space deeper, a directory's own value <c>""</c> when it has
/// none. A node may have a value and children both (a frontend may write <c>a</c> and <c>a/b</c>).
/// Nodes keep the order they were written in; every value is printed escaped.
/// </summary>
internal sealed class NodeTree
{
    private readonly List<(string Name, NodeTree Node)> _children = [];
    private string? _value;

    public void Add(string path, string value)
    {
        var node = this;
        foreach (string part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            int at = node._children.FindIndex(c => c.Name == part);
            if (at < 0)
            {
                node._children.Add((part, new NodeTree()));
                at = node._children.Count - 1;
            }
            node = node._children[at].Node;
        }
        node._value = value;
    }

    /// <summary>Writes the tree under a root line <c>root = ""</c>.</summary>
    public void Write(TextWriter output, string root)
    {
        output.WriteLine($"{root} = \"{PrintableText.Escape(_value ?? "")}\"");
        WriteChildren(output, 1);
    }

    private void WriteChildren(TextWriter output, int depth)
    {
        foreach (var (name, node) in _children)
        {
            output.WriteLine($"{new string(' ', depth)}{PrintableText.Escape(name)} = \"{PrintableText.Escape(node._value ?? "")}\"");
            node.WriteChildren(output, depth + 1);
        }
    }
}
