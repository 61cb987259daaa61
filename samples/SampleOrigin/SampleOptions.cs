using System.Globalization;

namespace SampleOrigin;

/// <summary>The <c>Sample</c> configuration section: how long pages stay fresh and how the demo pages misbehave.</summary>
internal sealed class SampleOptions
{
    public const string Section = "Sample";

    /// <summary><c>s-maxage</c> of the product pages, in seconds: how soon a cache in front may call them stale.</summary>
    public int ProductSeconds { get; set; } = 10;

    /// <summary><c>s-maxage</c> of <c>/flaky</c>, in seconds.</summary>
    public int FlakySeconds { get; set; } = 5;

    /// <summary>Upper bound of <c>/slow?ms=</c>, so one request cannot hold a connection for long.</summary>
    public int MaxSlowMs { get; set; } = 10_000;

    /// <summary>Whether <c>/flaky</c> fails from the start (it can be switched with <c>POST /_sample/fail?on=</c>).</summary>
    public bool Fail { get; set; }

    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        Positive(nameof(ProductSeconds), ProductSeconds, problems);
        Positive(nameof(FlakySeconds), FlakySeconds, problems);
        if (MaxSlowMs < 0)
        {
            problems.Add($"{Section}:{nameof(MaxSlowMs)}: '{MaxSlowMs.ToString(CultureInfo.InvariantCulture)}' is negative.");
        }

        return problems;
    }

    private static void Positive(string name, int value, List<string> problems)
    {
        if (value <= 0)
        {
            problems.Add($"{Section}:{name}: '{value.ToString(CultureInfo.InvariantCulture)}' is not a positive number of seconds.");
        }
    }
}
