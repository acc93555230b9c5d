using Microsoft.EntityFrameworkCore;

namespace Yunke.Core.Common;

/// <summary>One page of a list, as every list of the API answers it.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, int Total);

/// <summary>Which page to read: 1-based, at most 200 items.</summary>
public readonly record struct PageRequest(int Page = 1, int PageSize = 20)
{
    public const int MaxPageSize = 200;

    public static PageRequest From(int? page, int? pageSize)
    {
        var v = new Validation()
            .Check("page", page is null or >= 1, "page must be 1 or more.")
            .Check("pageSize", pageSize is null or >= 1 and <= MaxPageSize, $"pageSize must be between 1 and {MaxPageSize}.");
        v.ThrowIfInvalid();
        return new PageRequest(page ?? 1, pageSize ?? 20);
    }
}

public static class PagingExtensions
{
    /// <summary>Counts and reads one page; the query must already be ordered.</summary>
    public static async Task<Page<TOut>> ToPageAsync<T, TOut>(this IQueryable<T> ordered, PageRequest request,
        Func<T, TOut> map, CancellationToken ct = default)
    {
        var total = await ordered.CountAsync(ct);
        var items = await ordered.Skip((request.Page - 1) * request.PageSize).Take(request.PageSize).ToListAsync(ct);
        return new Page<TOut>(items.Select(map).ToList(), total);
    }
}
