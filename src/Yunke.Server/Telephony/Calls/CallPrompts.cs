using Yunke.Media.Audio;

namespace Yunke.Server.Telephony.Calls;

/// <summary>
/// The audio Yunke plays to a customer, read once at start: the looping queue prompt while the call waits
/// (<c>Yunke:Calls:QueuePrompt</c>; empty for the plain ringback tone) and the music while the agent holds
/// (<c>Yunke:Calls:HoldMusic</c>). Relative paths are under the server's folder, where the shipped WAVs are.
/// A skill queue may bring its own prompt later; this is the platform's default.
/// </summary>
public sealed class CallPrompts(AudioClip queue, AudioClip hold)
{
    /// <summary>The Chinese ringback tone: 450 Hz, 1 s on, 4 s off (GB/T 3380).</summary>
    public static readonly AudioClip Ringback = AudioClip.Tone([450], TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4));

    public AudioClip Queue => queue;
    public AudioClip Hold => hold;

    public static CallPrompts Load(string? queuePrompt, string? holdMusic) => new(Read(queuePrompt) ?? Ringback, Read(holdMusic) ?? Ringback);

    private static AudioClip? Read(string? path)
    {
        if (string.IsNullOrWhiteSpace(path)) return null;
        var full = Path.IsPathRooted(path) ? path : Path.Combine(AppContext.BaseDirectory, path);
        try { return WavFile.ReadForTelephony(full); }
        catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"The prompt \"{full}\" cannot be played: {e.Message}", e);
        }
    }
}
