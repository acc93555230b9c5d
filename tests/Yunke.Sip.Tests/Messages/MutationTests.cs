using System.Text;
using Yunke.Sip.Messages;

namespace Yunke.Sip.Tests.Messages;

/// <summary>Thousands of damaged messages (flipped bytes, cuts, repeated and dropped lines): the parser and every
/// typed view of what it returns must answer, never throw.</summary>
public class MutationTests
{
    [Fact]
    public void Damaged_torture_messages_never_throw()
    {
        var random = new Random(3261);
        var files = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "TortureMessages"), "*.sip");
        var parsed = 0;
        foreach (var file in files)
        {
            var original = File.ReadAllBytes(file);
            for (var i = 0; i < 100; i++)
            {
                var data = Mutate(original, random);
                var result = SipParser.Parse(data);
                if (result.Message is { } m)
                {
                    parsed++;
                    _ = (m.To, m.From, m.Vias, m.Contacts, m.CSeq, m.MaxForwards, m.Expires, m.CallId, m.BodyText);
                    _ = m.ToBytes();
                }
                _ = result.CreateErrorResponse()?.ToBytes();
            }
        }
        parsed.ShouldBeGreaterThan(100); // the mutations are not all fatal, so the typed views were exercised
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        switch (random.Next(4))
        {
            case 0:
                var flipped = (byte[])original.Clone();
                for (var k = random.Next(1, 6); k > 0; k--) flipped[random.Next(flipped.Length)] = (byte)random.Next(256);
                return flipped;
            case 1:
                return original[..random.Next(original.Length + 1)];
            default:
                var lines = Encoding.Latin1.GetString(original).Split("\r\n").ToList();
                var at = random.Next(1, Math.Max(2, lines.Count - 1));
                if (at < lines.Count)
                {
                    if (random.Next(2) == 0) lines.Insert(at, lines[at]);
                    else lines.RemoveAt(at);
                }
                return Encoding.Latin1.GetBytes(string.Join("\r\n", lines));
        }
    }
}
