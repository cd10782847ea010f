using NerClassify.Cli;

return await CliApplication.RunAsync(args, Console.Out, Console.Error, interactive: true).ConfigureAwait(false);
