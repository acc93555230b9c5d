using Yunke.Core.AgentStates;
using Yunke.Core.Common;

namespace Yunke.Core.Tests.AgentStates;

public class AgentStateMachineTests
{
    // The whole table, written out independently of the implementation: (from, trigger) → to.
    private static readonly Dictionary<(AgentState, AgentTrigger), AgentState> Legal = new()
    {
        [(AgentState.SignedOut, AgentTrigger.SignIn)] = AgentState.Idle,
        [(AgentState.Idle, AgentTrigger.NotReady)] = AgentState.Busy,
        [(AgentState.Idle, AgentTrigger.Rest)] = AgentState.Rest,
        [(AgentState.Idle, AgentTrigger.SignOut)] = AgentState.SignedOut,
        [(AgentState.Idle, AgentTrigger.Offer)] = AgentState.Ringing,
        [(AgentState.Busy, AgentTrigger.Ready)] = AgentState.Idle,
        [(AgentState.Busy, AgentTrigger.Rest)] = AgentState.Rest,
        [(AgentState.Busy, AgentTrigger.SignOut)] = AgentState.SignedOut,
        [(AgentState.Busy, AgentTrigger.Offer)] = AgentState.Ringing,
        [(AgentState.Rest, AgentTrigger.Ready)] = AgentState.Idle,
        [(AgentState.Rest, AgentTrigger.NotReady)] = AgentState.Busy,
        [(AgentState.Rest, AgentTrigger.SignOut)] = AgentState.SignedOut,
        [(AgentState.Rest, AgentTrigger.TimeUp)] = AgentState.Idle,
        [(AgentState.Ringing, AgentTrigger.Answer)] = AgentState.Talking,
        [(AgentState.Ringing, AgentTrigger.NoAnswer)] = AgentState.Busy,
        [(AgentState.Ringing, AgentTrigger.Withdraw)] = AgentState.Idle,
        [(AgentState.Talking, AgentTrigger.Hangup)] = AgentState.WrapUp,
        [(AgentState.WrapUp, AgentTrigger.TimeUp)] = AgentState.Idle,
        [(AgentState.WrapUp, AgentTrigger.Ready)] = AgentState.Idle,
        [(AgentState.WrapUp, AgentTrigger.NotReady)] = AgentState.Busy,
        [(AgentState.WrapUp, AgentTrigger.Rest)] = AgentState.Rest,
        [(AgentState.WrapUp, AgentTrigger.SignOut)] = AgentState.SignedOut,
    };

    public static TheoryData<AgentState, AgentTrigger> Every() 
    {
        var data = new TheoryData<AgentState, AgentTrigger>();
        foreach (var s in Enum.GetValues<AgentState>())
            foreach (var t in Enum.GetValues<AgentTrigger>()) data.Add(s, t);
        return data;
    }

    [Theory, MemberData(nameof(Every))]
    public void Every_pair_of_state_and_trigger_moves_as_the_table_says_or_is_refused(AgentState from, AgentTrigger trigger)
    {
        if (Legal.TryGetValue((from, trigger), out var to))
        {
            AgentStateMachine.Next(from, trigger).ShouldBe(to);
            AgentStateMachine.CanMove(from, trigger).ShouldBeTrue();
        }
        else
        {
            var refusal = Should.Throw<YunkeException>(() => AgentStateMachine.Next(from, trigger));
            refusal.Code.ShouldBe("illegalAgentTransition");
            refusal.Problem.ShouldBe(Problem.Conflict);
            refusal.Message.ShouldNotBeNullOrWhiteSpace();
            AgentStateMachine.CanMove(from, trigger).ShouldBeFalse();
        }
    }

    [Fact]
    public void Signing_out_during_a_call_says_why_not() =>
        Should.Throw<YunkeException>(() => AgentStateMachine.Next(AgentState.Talking, AgentTrigger.SignOut)).Message.ShouldContain("in a call");

    [Fact]
    public void Every_state_but_signed_out_can_be_left_towards_idle()
    {
        foreach (var state in Enum.GetValues<AgentState>().Where(s => s != AgentState.Idle))
        {
            var reachable = Reach(state);
            reachable.ShouldContain(AgentState.Idle, $"from {state}");
        }
    }

    private static HashSet<AgentState> Reach(AgentState start)
    {
        var seen = new HashSet<AgentState> { start };
        var todo = new Queue<AgentState>([start]);
        while (todo.TryDequeue(out var s))
            foreach (var t in Enum.GetValues<AgentTrigger>())
                if (AgentStateMachine.CanMove(s, t) && seen.Add(AgentStateMachine.Next(s, t))) todo.Enqueue(AgentStateMachine.Next(s, t));
        return seen;
    }
}
