using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Localization;
using MudBlazor;
using Yunke.Core.Common;
using Yunke.Server.Auth;

namespace Yunke.Server.Components.Shared;

/// <summary>
/// An interactive console page: knows who acts, runs each query or command of a Core service in
/// its own DI scope (a fresh DbContext, one unit of work, since a circuit lives for hours) and
/// turns a <see cref="YunkeException"/> into the messages shown next to the fields.
/// </summary>
public abstract class ConsolePage : ComponentBase
{
    [Inject] private IServiceScopeFactory Scopes { get; set; } = default!;
    [Inject] private IStringLocalizer<Text> Words { get; set; } = default!;
    [Inject] protected ISnackbar Snackbar { get; set; } = default!;
    [CascadingParameter] private Task<AuthenticationState> AuthenticationState { get; set; } = default!;
    [CascadingParameter(Name = "RemoteIp")] private string? RemoteIp { get; set; }

    protected Actor Actor { get; private set; } = default!;
    protected FormErrors Errors { get; } = new();
    protected bool Busy { get; private set; }

    protected override async Task OnInitializedAsync()
    {
        Actor = (await AuthenticationState).User.ToActor(RemoteIp);
        await LoadAsync();
    }

    /// <summary>Reads what the page shows; called once the actor is known.</summary>
    protected virtual Task LoadAsync() => Task.CompletedTask;

    /// <summary>Runs a call of a Core service; answers null and shows why when it is refused.</summary>
    protected async Task<T?> TryAsync<TService, T>(Func<TService, Task<T>> call, string? doneKey = null)
        where TService : notnull where T : class?
    {
        Errors.Clear();
        Busy = true;
        try
        {
            await using var scope = Scopes.CreateAsyncScope();
            var result = await call(scope.ServiceProvider.GetRequiredService<TService>());
            if (doneKey is not null) Snackbar.Add(Words[doneKey], Severity.Success);
            return result;
        }
        catch (YunkeException refusal)
        {
            Errors.Set(refusal, Words);
            // Field errors show next to their fields; anything else would go unseen without a toast.
            if (refusal.Errors.Count == 0) Snackbar.Add(Errors.Message!, Severity.Error);
            return null;
        }
        finally
        {
            Busy = false;
        }
    }

    /// <summary>One page of a Core list for a <see cref="MudTable{T}"/> with server-side paging.</summary>
    protected async Task<TableData<T>> PageAsync<TService, T>(TableState state, Func<TService, PageRequest, Task<Page<T>>> query)
        where TService : notnull
    {
        var page = await TryAsync<TService, Page<T>>(s => query(s, new PageRequest(state.Page + 1, state.PageSize)));
        return new TableData<T> { Items = page?.Items ?? [], TotalItems = page?.Total ?? 0 };
    }

    /// <summary>Runs a command that answers nothing; true when it went through.</summary>
    protected async Task<bool> TryAsync<TService>(Func<TService, Task> call, string? doneKey = null) where TService : notnull =>
        await TryAsync<TService, object>(async s => { await call(s); return this; }, doneKey) is not null;
}
