using System.Globalization;
using System.Text;

namespace IsrProxy.LoadTool;

/// <summary>The one parseable line a measuring command prints: <c>RESULT key=value ...</c>, numbers invariant.</summary>
internal static class ResultLine
{
    public static void Write(params (string Key, object Value)[] fields) => Console.Out.WriteLine("RESULT " + Fields(fields));

    public static string Fields(params (string Key, object Value)[] fields)
    {
        var text = new StringBuilder();
        foreach (var (key, value) in fields)
        {
            if (text.Length > 0)
            {
                text.Append(' ');
            }

            text.Append(key).Append('=').Append(value switch
            {
                double d => d.ToString("0.000", CultureInfo.InvariantCulture),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => value.ToString()?.Replace(' ', '_'),
            });
        }

        return text.ToString();
    }
}
