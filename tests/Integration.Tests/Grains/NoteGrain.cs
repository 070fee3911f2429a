using TenantBilling.Grains;

namespace TenantBilling.Integration.Tests.Grains;

/// <summary>Test-only grain that keeps one text in the billing storage.</summary>
public interface INoteGrain : IGrainWithStringKey
{
    /// <summary>Stores <paramref name="text"/> and writes the state.</summary>
    Task WriteAsync(string text);

    /// <summary>The stored text, or null when nothing was written.</summary>
    Task<string?> ReadAsync();
}

/// <summary>State of <see cref="INoteGrain"/>.</summary>
[GenerateSerializer, Immutable, Alias("it.note-state")]
public sealed record NoteState([property: Id(0)] string? Text, [property: Id(1)] int Writes);

[GrainType("it.note")]
public sealed class NoteGrain([PersistentState(NoteGrain.StateName, StorageNames.Billing)] IPersistentState<NoteState> note) : Grain, INoteGrain
{
    public const string StateName = "note";

    public async Task WriteAsync(string text)
    {
        note.State = new NoteState(text, (note.State?.Writes ?? 0) + 1);
        await note.WriteStateAsync();
    }

    public Task<string?> ReadAsync() => Task.FromResult(note.State?.Text);
}
