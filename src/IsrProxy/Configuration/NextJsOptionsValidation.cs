using System.Globalization;

namespace IsrProxy.Configuration;

/// <summary>Checks <c>Isr:NextJs</c>; every message names its key and, but for the preview mode id, the bad value.</summary>
internal static class NextJsOptionsValidation
{
    private const string Prefix = IsrOptions.Section + ":" + nameof(IsrOptions.NextJs) + ":";

    public static void Validate(NextJsOptions options, List<string> errors)
    {
        if (!string.IsNullOrEmpty(options.PreviewModeId) && !IsPreviewModeId(options.PreviewModeId))
        {
            // The value is a credential of the Next.js build: never repeated in a message.
            errors.Add($"{Prefix}{nameof(NextJsOptions.PreviewModeId)}: is not made of letters and digits only, "
                + $"at most {NextJsOptions.MaxPreviewModeIdLength} of them (value not shown).");
        }

        Range(nameof(NextJsOptions.StaleRefetchAttempts), options.StaleRefetchAttempts, 1, 10, errors);
        Range(nameof(NextJsOptions.StaleRefetchDelayMilliseconds), options.StaleRefetchDelayMilliseconds, 1, 60_000, errors);
        Range(nameof(NextJsOptions.TagRegistryCapacity), options.TagRegistryCapacity, 1, 1_000_000, errors);
    }

    /// <summary>True for a value Next.js could have made (it makes hex); anything else could not be sent as a header.</summary>
    public static bool IsPreviewModeId(string value)
        => value.Length is > 0 and <= NextJsOptions.MaxPreviewModeIdLength && value.All(char.IsAsciiLetterOrDigit);

    private static void Range(string name, int value, int min, int max, List<string> errors)
    {
        if (value < min || value > max)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{Prefix}{name}: '{value}' is not from {min} to {max}."));
        }
    }
}
