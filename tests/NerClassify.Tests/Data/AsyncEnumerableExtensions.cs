namespace NerClassify.Tests.Data;

internal static class AsyncEnumerableExtensions
{
    public static List<T> ToBlockingEnumerableList<T>(this IAsyncEnumerable<T> source) => source.ToBlockingEnumerable().ToList();
}
