using NerClassify.Cli;

return await CliApplication.RunAsync(args, Console.Out, Console.Error, interactive: true).ConfigureAwait(false);

// Declared so that ASP.NET Core's generator (the tool hosts the sample service) leaves the entry point internal.
internal partial class Program;
