using Microsoft.Extensions.Options;
using NerClassify.Inference;

namespace NerClassify.Samples.Service;

/// <summary>Checks the <c>Serving</c> section at start, so a limit the model cannot honour stops the service with a clear message.</summary>
public sealed class ServingOptionsValidator : IValidateOptions<ServingOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ServingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        int libraryLimit = new PredictorOptions().MaxInputLength;
        var failures = new List<string>();
        if (options.MaxTexts < 1)
        {
            failures.Add($"Serving:MaxTexts is {options.MaxTexts}; it must be at least 1.");
        }

        if (options.MaxTextChars < 1 || options.MaxTextChars > libraryLimit)
        {
            failures.Add($"Serving:MaxTextChars is {options.MaxTextChars}; it must lie in [1, {libraryLimit}], the library's PredictorOptions.MaxInputLength, "
                + "which refuses longer texts. Split long documents before sending them.");
        }

        if (options.MaxRequestBytes < 1)
        {
            failures.Add($"Serving:MaxRequestBytes is {options.MaxRequestBytes}; it must be at least 1.");
        }

        try
        {
            options.MicroBatching?.Validate();
        }
        catch (ArgumentOutOfRangeException exception)
        {
            failures.Add($"Serving:MicroBatching:{exception.ParamName} is {exception.ActualValue}: {exception.Message}");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
