using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("NerClassify.Tests")]
[assembly: InternalsVisibleTo("NerClassify.Cli")]
[assembly: InternalsVisibleTo("NerClassify.Benchmarks")]
[assembly: InternalsVisibleTo("NerClassify.Service.Tests")]
