using NerClassify.Samples.Service;

if (args is ["export-triton", ..])
{
    return TritonCommand.Run(args[1..]);
}

WebApplication app = ServiceApp.Build(args);
await app.RunAsync();
return 0;
