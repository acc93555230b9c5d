using Yunke.Core.Agents;
using Yunke.Core.SkillQueues;

namespace Yunke.Core.Tests.Agents;

/// <summary>The documented matrix of which skill queues fit which agent type, cell by cell.</summary>
public sealed class AgentQueueTests
{
    [Theory]
    [InlineData(AgentType.Voice, MediaType.Voice, true)]
    [InlineData(AgentType.Voice, MediaType.VoiceClickToCall, true)]
    [InlineData(AgentType.Voice, MediaType.Video, false)]
    [InlineData(AgentType.Voice, MediaType.VideoClickToCall, false)]
    [InlineData(AgentType.Voice, MediaType.Multimedia, false)]
    [InlineData(AgentType.Video, MediaType.Voice, true)]
    [InlineData(AgentType.Video, MediaType.VoiceClickToCall, true)]
    [InlineData(AgentType.Video, MediaType.Video, true)]
    [InlineData(AgentType.Video, MediaType.VideoClickToCall, true)]
    [InlineData(AgentType.Video, MediaType.Multimedia, false)]
    [InlineData(AgentType.Multimedia, MediaType.Multimedia, true)]
    [InlineData(AgentType.Multimedia, MediaType.Voice, false)]
    [InlineData(AgentType.Multimedia, MediaType.VoiceClickToCall, false)]
    [InlineData(AgentType.Multimedia, MediaType.Video, false)]
    [InlineData(AgentType.Multimedia, MediaType.VideoClickToCall, false)]
    public void A_queue_fits_an_agent_only_if_its_seat_can_handle_the_media(AgentType agent, MediaType media, bool fits)
    {
        AgentQueues.Fits(agent, media).ShouldBe(fits);
        AgentQueues.AllowedFor(agent).Contains(media).ShouldBe(fits);
    }

    [Theory]
    [InlineData(AgentType.Voice, MediaType.Voice)]
    [InlineData(AgentType.Video, MediaType.Video)]
    [InlineData(AgentType.Multimedia, MediaType.Multimedia)]
    public void Each_agent_type_has_a_default_queue_that_fits_it(AgentType agent, MediaType media)
    {
        AgentQueues.DefaultFor(agent).ShouldBe(media);
        AgentQueues.Fits(agent, AgentQueues.DefaultFor(agent)).ShouldBeTrue();
    }
}
