package dev.tandem.discovery.gossip;

import static dev.tandem.discovery.gossip.TestWorld.address;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.cluster.Member;
import dev.tandem.cluster.MemberStatus;
import dev.tandem.cluster.MembershipView;
import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.spi.StrategyOptions;
import dev.tandem.discovery.gossip.SwimMessage.Ack;
import dev.tandem.discovery.gossip.SwimMessage.Gossip;
import dev.tandem.discovery.gossip.SwimMessage.Nack;
import dev.tandem.discovery.gossip.SwimMessage.Ping;
import dev.tandem.discovery.gossip.SwimMessage.PingReq;
import dev.tandem.discovery.gossip.SwimMessage.PushPull;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Drives one node's protocol by hand: the node under test is real, its peers are phantom
 * addresses whose messages the test writes and whose mail it reads. Default timings: period 1 s,
 * probe timeout 500 ms, k = 3, suspicion 4 × max(1, log10 n) periods, reap 60 s.
 */
class SwimMembershipTest {
    private static final long SEED = 42;
    private final TestWorld world = new TestWorld(SEED);

    private static GossipSettings settings() {
        return GossipSettings.staticSeeds(List.of(address(1)));
    }

    private static NodeId id(String name) {
        return new NodeId(name, 1);
    }

    private static Member member(String name, int port, MemberStatus status, long version) {
        return new Member(id(name), address(port), status, version, Map.of());
    }

    private TestWorld.Host startA() {
        return world.start("a", 1, 1, settings());
    }

    /** Tells {@code a} about members b (port 2), c (3), ... as if gossiped by b. */
    private void introduce(TestWorld.Host a, String... names) {
        List<Claim> claims = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            claims.add(Claim.of(member(names[i], i + 2, MemberStatus.ALIVE, 0)));
        }
        world.deliver(address(2), a, new Gossip(id("b"), claims));
    }

    private static Member in(MembershipView v, String name) {
        return v.member(name).orElseThrow(() -> new AssertionError(name + " missing from " + v));
    }

    private <T extends SwimMessage> List<T> sent(Class<T> type, NodeAddress to, int fromIndex) {
        return world.sentTo(to, fromIndex).stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
    }

    private Ping awaitPing(NodeAddress to) {
        int mark = world.sent.size();
        boolean sentPing = world.runUntil(() -> !sent(Ping.class, to, mark).isEmpty(), Duration.ofSeconds(10));
        assertThat(sentPing).as("a ping to " + to + " within 10 s (seed " + SEED + ")").isTrue();
        return sent(Ping.class, to, mark).get(0);
    }

    @Test
    void start_putsSelfInTheViewAsAliveVersionZero_atViewVersionOne() {
        TestWorld.Host a = startA();
        assertThat(a.view().version()).isEqualTo(1);
        assertThat(in(a.view(), "a")).isEqualTo(new Member(id("a"), address(1), MemberStatus.ALIVE, 0, Map.of()));
        assertThat(a.views).hasSize(1);
    }

    @Test
    void probe_isAnsweredByAck_andTheMemberStaysAlive() {
        TestWorld.Host a = startA();
        introduce(a, "b");
        Ping ping = awaitPing(address(2));
        assertThat(ping.target()).isEqualTo(id("b"));
        world.deliver(address(2), a, new Ack(id("b"), ping.seq(), List.of()));
        int mark = world.sent.size();
        world.runFor(Duration.ofMillis(900));
        assertThat(in(a.view(), "b").status()).isEqualTo(MemberStatus.ALIVE);
        assertThat(a.counter("tandem.membership.acks")).isEqualTo(1);
        assertThat(a.counter("tandem.membership.probes")).isEqualTo(1);
        assertThat(world.sent.subList(mark, world.sent.size())).noneMatch(s -> s.message() instanceof PingReq);
    }

    @Test
    void ping_forThisNode_isAcked_withTheSameSeq_butAPingForAnotherIncarnationIsNot() {
        TestWorld.Host a = startA();
        world.deliver(address(7), a, new Ping(id("g"), 77, id("a"), List.of()));
        world.deliver(address(7), a, new Ping(id("g"), 78, new NodeId("a", 0), List.of()));
        List<Ack> acks = sent(Ack.class, address(7), 0);
        assertThat(acks).extracting(Ack::seq).containsExactly(77L);
        assertThat(a.counter("tandem.membership.messages.misdirected")).isEqualTo(1);
    }

    @Test
    void anAckMeantForAnEarlierLifeAtTheSameAddress_doesNotAnswerThisLifesProbe() {
        TestWorld.Host first = world.start("a", 1, 1, settings());
        introduce(first, "b");
        long earlierSeq = awaitPing(address(2)).seq();
        world.crash(first);
        TestWorld.Host a = world.start("a", 2, 1, settings()); // restarted at once, same address
        introduce(a, "b");
        Ping ping = awaitPing(address(2));
        assertThat(ping.seq()).as("the new life's first probe (seed " + SEED + ")").isNotEqualTo(earlierSeq);
        // b's answer to the earlier life's probe arrives late, at the same address
        world.deliver(address(2), a, new Ack(id("b"), earlierSeq, List.of()));
        boolean suspected = world.runUntil(() -> in(a.view(), "b").status() == MemberStatus.SUSPECT, Duration.ofSeconds(2));
        assertThat(suspected).as("b, whose ack answered another life, suspected (seed " + SEED + ")").isTrue();
        assertThat(a.counter("tandem.membership.acks")).isZero();
    }

    @Test
    void missedAck_sendsPingReqToKOtherMembers_afterTheProbeTimeout() {
        TestWorld.Host a = startA();
        introduce(a, "b", "c", "d", "e");
        int mark = world.sent.size();
        world.runUntil(() -> world.sent.subList(mark, world.sent.size()).stream().anyMatch(s -> s.message() instanceof Ping),
                Duration.ofSeconds(2));
        TestWorld.Sent pingSent = world.sent.stream().skip(mark).filter(s -> s.message() instanceof Ping).findFirst().orElseThrow();
        Ping ping = (Ping) pingSent.message();
        world.runFor(Duration.ofMillis(499));
        assertThat(world.sent.stream().skip(mark).filter(s -> s.message() instanceof PingReq)).isEmpty();
        world.runFor(Duration.ofMillis(2));
        List<TestWorld.Sent> reqs = world.sent.stream().skip(mark).filter(s -> s.message() instanceof PingReq).toList();
        assertThat(reqs).hasSize(3);
        assertThat(reqs).extracting(TestWorld.Sent::to).doesNotHaveDuplicates().doesNotContain(pingSent.to(), address(1));
        for (TestWorld.Sent s : reqs) {
            PingReq r = (PingReq) s.message();
            assertThat(r.seq()).isEqualTo(ping.seq());
            assertThat(r.target()).isEqualTo(ping.target());
            assertThat(r.targetAddress()).isEqualTo(pingSent.to());
        }
        assertThat(a.counter("tandem.membership.indirect.probes")).isEqualTo(3);
    }

    @Test
    void ackRelayedByAHelper_keepsTheTargetAlive() {
        TestWorld.Host a = startA();
        introduce(a, "b", "c");
        world.runUntil(() -> world.sent.stream().anyMatch(s -> s.message() instanceof PingReq), Duration.ofSeconds(3));
        PingReq req = world.sent.stream().map(TestWorld.Sent::message).filter(PingReq.class::isInstance)
                .map(PingReq.class::cast).findFirst().orElseThrow();
        String helper = req.target().name().equals("b") ? "c" : "b";
        world.deliver(address(helper.equals("b") ? 2 : 3), a, new Ack(id(helper), req.seq(), List.of()));
        world.runFor(Duration.ofMillis(1000)); // past the end of the period, not yet the end of the next probe
        assertThat(in(a.view(), req.target().name()).status()).isEqualTo(MemberStatus.ALIVE);
        assertThat(a.swim().diagnostics().suspicionsRaised()).isZero();
    }

    @Test
    void pingReq_isRelayed_andAnsweredWithAckOrNack() {
        TestWorld.Host a = startA();
        // relay that succeeds
        world.deliver(address(3), a, new PingReq(id("c"), 500, id("b"), address(2), List.of()));
        Ping relayed = sent(Ping.class, address(2), 0).get(0);
        assertThat(relayed.target()).isEqualTo(id("b"));
        world.deliver(address(2), a, new Ack(id("b"), relayed.seq(), List.of()));
        assertThat(sent(Ack.class, address(3), 0)).extracting(Ack::seq).containsExactly(500L);
        // relay that times out
        int mark = world.sent.size();
        world.deliver(address(3), a, new PingReq(id("c"), 501, id("d"), address(4), List.of()));
        world.runFor(Duration.ofMillis(499));
        assertThat(sent(Nack.class, address(3), mark)).isEmpty();
        world.runFor(Duration.ofMillis(2));
        assertThat(sent(Nack.class, address(3), mark)).extracting(Nack::seq).containsExactly(501L);
    }

    @Test
    void unansweredProbe_suspects_thenDeclaresDeadAfterTheSuspicionTimeout_thenReaps() {
        TestWorld.Host a = startA();
        introduce(a, "b");
        awaitPing(address(2));
        boolean suspected = world.runUntil(() -> in(a.view(), "b").status() == MemberStatus.SUSPECT, Duration.ofSeconds(2));
        assertThat(suspected).isTrue();
        long suspectedAt = world.nowNanos;
        assertThat(a.counter("tandem.membership.suspicions")).isEqualTo(1);
        // n = 2: min = 4 × 1 × 1 s, no confirmations can be expected, so the timeout is the minimum
        world.runUntil(() -> in(a.view(), "b").status() == MemberStatus.DEAD, Duration.ofSeconds(30));
        assertThat(in(a.view(), "b").status()).isEqualTo(MemberStatus.DEAD);
        assertThat(world.elapsedSince(suspectedAt)).isEqualTo(Duration.ofSeconds(4));
        assertThat(a.counter("tandem.membership.declared.dead")).isEqualTo(1);
        long deadAt = world.nowNanos;
        world.runUntil(() -> a.view().member("b").isEmpty(), Duration.ofSeconds(120));
        assertThat(a.view().member("b")).isEmpty();
        assertThat(world.elapsedSince(deadAt)).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void suspicion_shrinksWithIndependentConfirmations() {
        TestWorld.Host a = startA();
        // 12 members: min = 4 × log10(12) ≈ 4.3 s, max = 6 × min, k = 2 confirmations expected
        String[] names = {"b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"};
        introduce(a, names);
        Member x = in(a.view(), "l");
        world.deliver(address(2), a, new Gossip(id("b"), List.of(new Claim(x.withStatus(MemberStatus.SUSPECT, 0), "b"))));
        long start = world.nowNanos;
        Duration min = Suspicion.minTimeout(4, 12, Duration.ofSeconds(1));
        world.runFor(Duration.ofSeconds(1));
        world.deliver(address(3), a, new Gossip(id("c"), List.of(new Claim(x.withStatus(MemberStatus.SUSPECT, 0), "c"))));
        world.deliver(address(3), a, new Gossip(id("c"), List.of(new Claim(x.withStatus(MemberStatus.SUSPECT, 0), "c"))));
        world.deliver(address(4), a, new Gossip(id("d"), List.of(new Claim(x.withStatus(MemberStatus.SUSPECT, 0), "d"))));
        world.runUntil(() -> in(a.view(), "l").status() == MemberStatus.DEAD, Duration.ofSeconds(60));
        assertThat(in(a.view(), "l").status()).isEqualTo(MemberStatus.DEAD);
        // two independent confirmations (c once, d) bring the timeout down to the minimum
        assertThat(world.elapsedSince(start)).isEqualTo(min);
    }

    @Test
    void hearingItselfSuspected_refutesWithAHigherVersion_andGossipsAlive() {
        TestWorld.Host a = startA();
        introduce(a, "b");
        long before = a.view().version();
        world.deliver(address(2), a, new Gossip(id("b"),
                List.of(new Claim(member("a", 1, MemberStatus.SUSPECT, 0), "b"))));
        assertThat(in(a.view(), "a")).extracting(Member::status, Member::version).containsExactly(MemberStatus.ALIVE, 1L);
        assertThat(a.view().version()).isEqualTo(before + 1);
        assertThat(a.swim().diagnostics().refutations()).isEqualTo(1);
        assertThat(a.swim().diagnostics().localHealth()).isEqualTo(1);
        // the refutation rides on the next message a sends
        world.deliver(address(2), a, new Ping(id("b"), 9, id("a"), List.of()));
        Ack ack = sent(Ack.class, address(2), 0).get(0);
        assertThat(ack.gossip()).extracting(Claim::member).contains(member("a", 1, MemberStatus.ALIVE, 1));
        // declared dead at v5 by someone: jumps to v6
        world.deliver(address(2), a, new Gossip(id("b"), List.of(new Claim(member("a", 1, MemberStatus.DEAD, 5), "b"))));
        assertThat(in(a.view(), "a")).extracting(Member::status, Member::version).containsExactly(MemberStatus.ALIVE, 6L);
        // stale accusations are not refuted again
        world.deliver(address(2), a, new Gossip(id("b"), List.of(new Claim(member("a", 1, MemberStatus.SUSPECT, 3), "b"))));
        assertThat(in(a.view(), "a").version()).isEqualTo(6);
        assertThat(a.swim().diagnostics().ownVersion()).isEqualTo(6);
    }

    @Test
    void sabotageIgnoreRefutation_leavesTheAccusationStanding() {
        TestWorld.Host a = world.start("a", 1, 1, settings().withSabotage(GossipSettings.Sabotage.IGNORE_REFUTATION));
        world.deliver(address(2), a, new Gossip(id("b"), List.of(new Claim(member("a", 1, MemberStatus.SUSPECT, 0), "b"))));
        assertThat(a.swim().diagnostics().ownVersion()).isZero();
        assertThat(a.swim().diagnostics().refutations()).isZero();
    }

    @Test
    void precedence_higherVersionWins_andAtEqualVersionTheStrongerStatus() {
        TestWorld.Host a = startA();
        introduce(a, "b");
        record Step(MemberStatus status, long version, MemberStatus expectStatus, long expectVersion) {
        }
        List<Step> steps = List.of(
                new Step(MemberStatus.SUSPECT, 0, MemberStatus.SUSPECT, 0),  // stronger at equal version
                new Step(MemberStatus.ALIVE, 0, MemberStatus.SUSPECT, 0),    // weaker at equal version: ignored
                new Step(MemberStatus.ALIVE, 1, MemberStatus.ALIVE, 1),      // higher version: refuted
                new Step(MemberStatus.SUSPECT, 0, MemberStatus.ALIVE, 1),    // lower version: ignored
                new Step(MemberStatus.DEAD, 1, MemberStatus.DEAD, 1),        // DEAD beats ALIVE at equal version
                new Step(MemberStatus.SUSPECT, 1, MemberStatus.DEAD, 1),     // SUSPECT does not beat DEAD
                new Step(MemberStatus.LEFT, 1, MemberStatus.LEFT, 1),        // LEFT beats DEAD
                new Step(MemberStatus.DEAD, 1, MemberStatus.LEFT, 1),        // DEAD does not beat LEFT
                new Step(MemberStatus.ALIVE, 2, MemberStatus.ALIVE, 2));     // a higher version revives
        for (Step s : steps) {
            long before = a.view().version();
            Member was = in(a.view(), "b");
            world.deliver(address(3), a, new Gossip(id("c"), List.of(new Claim(member("b", 2, s.status, s.version), "c"))));
            Member now = in(a.view(), "b");
            assertThat(now).as("after " + s).extracting(Member::status, Member::version)
                    .containsExactly(s.expectStatus, s.expectVersion);
            assertThat(a.view().version()).as("view version after " + s).isEqualTo(now.equals(was) ? before : before + 1);
        }
    }

    @Test
    void newerIncarnation_supersedes_andClaimsAboutTheOlderOneNeverResurrectIt() {
        TestWorld.Host a = startA();
        world.deliver(address(2), a, new Gossip(id("b"), List.of(Claim.of(member("b", 2, MemberStatus.ALIVE, 5)))));
        NodeId b2 = new NodeId("b", 2);
        world.deliver(address(9), a, new Gossip(b2, List.of(Claim.of(new Member(b2, address(9))))));
        assertThat(in(a.view(), "b")).isEqualTo(new Member(b2, address(9)));
        long v = a.view().version();
        world.deliver(address(3), a, new Gossip(id("c"), List.of(
                Claim.of(member("b", 2, MemberStatus.ALIVE, 99)),
                new Claim(member("b", 2, MemberStatus.DEAD, 99), "c"))));
        assertThat(in(a.view(), "b")).isEqualTo(new Member(b2, address(9)));
        assertThat(a.view().version()).isEqualTo(v);
    }

    @Test
    void suspicionsAndDeathsOfUnknownMembers_areNotAdopted() {
        TestWorld.Host a = startA();
        world.deliver(address(3), a, new Gossip(id("c"), List.of(
                new Claim(member("x", 5, MemberStatus.SUSPECT, 0), "c"),
                new Claim(member("y", 6, MemberStatus.DEAD, 0), "c"),
                Claim.of(member("z", 7, MemberStatus.LEFT, 0)))));
        assertThat(a.view().members()).extracting(Member::name).containsExactly("a");
    }

    @Test
    void claimsAboutAnOlderLifeOfThisNode_areIgnored() {
        TestWorld.Host a = world.start("a", 5, 1, settings());
        world.deliver(address(2), a, new Gossip(id("b"), List.of(new Claim(
                new Member(new NodeId("a", 4), address(1), MemberStatus.DEAD, 9, Map.of()), "b"))));
        assertThat(in(a.view(), "a")).extracting(Member::status, Member::version).containsExactly(MemberStatus.ALIVE, 0L);
        assertThat(a.swim().diagnostics().refutations()).isZero();
    }

    @Test
    void leave_disseminatesLeft_thenFreezesTheView_butStillAnswersPings() {
        TestWorld.Host a = startA();
        introduce(a, "b", "c");
        world.runFor(Duration.ofSeconds(3));
        int mark = world.sent.size();
        a.membership.leave();
        Member left = in(a.view(), "a");
        assertThat(left.status()).isEqualTo(MemberStatus.LEFT);
        assertThat(left.version()).isEqualTo(1);
        for (int port : new int[] {2, 3}) {
            assertThat(sent(Gossip.class, address(port), mark)).singleElement()
                    .satisfies(g -> assertThat(g.gossip()).extracting(Claim::member).containsExactly(left));
        }
        MembershipView frozen = a.view();
        assertThat(a.swim().diagnostics().left()).isTrue();
        world.deliver(address(2), a, new Gossip(id("b"), List.of(new Claim(member("c", 3, MemberStatus.DEAD, 0), "b"))));
        int afterLeave = world.sent.size();
        world.runFor(Duration.ofSeconds(120));
        assertThat(a.view()).isSameAs(frozen);
        assertThat(world.sent.subList(afterLeave, world.sent.size())).isEmpty(); // no probes, no push-pull
        world.deliver(address(2), a, new Ping(id("b"), 3, id("a"), List.of()));
        assertThat(sent(Ack.class, address(2), afterLeave)).singleElement()
                .satisfies(ack -> assertThat(ack.gossip()).extracting(Claim::member).contains(left));
    }

    @Test
    void leftMember_isRecordedAsLeft_andReapedLater() {
        TestWorld.Host a = startA();
        introduce(a, "b");
        world.deliver(address(2), a, new Gossip(id("b"), List.of(Claim.of(member("b", 2, MemberStatus.LEFT, 1)))));
        assertThat(in(a.view(), "b").status()).isEqualTo(MemberStatus.LEFT);
        assertThat(a.view().liveMembers()).extracting(Member::name).containsExactly("a");
        world.runFor(Duration.ofSeconds(61));
        assertThat(a.view().member("b")).isEmpty();
    }

    @Test
    void join_asksEverySeed_andRetriesWithBackoff_untilSomeoneAnswers() {
        // never-suspect: the phantom seeds never answer probes, yet must stay members for this test
        TestWorld.Host a = world.start("a", 1, 1, GossipSettings.staticSeeds(List.of(address(1), address(2), address(3)))
                .withSabotage(GossipSettings.Sabotage.NEVER_SUSPECT));
        assertThat(sent(PushPull.class, address(2), 0)).hasSize(1);
        assertThat(sent(PushPull.class, address(3), 0)).hasSize(1);
        assertThat(sent(PushPull.class, address(1), 0)).isEmpty(); // never to itself
        world.runFor(Duration.ofSeconds(16));
        List<Long> at = world.sent.stream().filter(s -> s.to().equals(address(2)) && s.message() instanceof PushPull)
                .map(s -> (s.atNanos() - TestWorld.START_NANOS) / 1_000_000_000L).toList();
        assertThat(at).containsExactly(0L, 1L, 3L, 7L, 15L);
        // b answers: a merges b's state and stops retrying
        world.deliver(address(2), a, new PushPull(id("b"), true, "tandem", List.of(
                member("b", 2, MemberStatus.ALIVE, 0), member("c", 3, MemberStatus.ALIVE, 3))));
        assertThat(a.view().liveMembers()).extracting(Member::name).containsExactly("a", "b", "c");
        int mark = world.sent.size();
        world.runFor(Duration.ofSeconds(20)); // the next join attempt would have been at 31 s
        // only the periodic anti-entropy exchange with one live member remains
        assertThat(world.sent.subList(mark, world.sent.size())).filteredOn(s -> s.message() instanceof PushPull).hasSize(1);
    }

    @Test
    void pushPullRequest_isMerged_andAnsweredWithTheFullState() {
        TestWorld.Host a = startA();
        introduce(a, "b", "c");
        int mark = world.sent.size();
        world.deliver(address(2), a, new PushPull(id("b"), false, "tandem", List.of(
                member("b", 2, MemberStatus.ALIVE, 2),
                member("c", 3, MemberStatus.DEAD, 0),    // taken as SUSPECT from a full state
                member("d", 4, MemberStatus.ALIVE, 0),
                member("x", 5, MemberStatus.DEAD, 0),    // unknown and dead: not adopted
                member("a", 1, MemberStatus.SUSPECT, 0)))); // refuted
        MembershipView v = a.view();
        assertThat(v.members()).extracting(m -> m.name() + ":" + m.status() + ":" + m.version())
                .containsExactly("a:ALIVE:1", "b:ALIVE:2", "c:SUSPECT:0", "d:ALIVE:0");
        PushPull reply = sent(PushPull.class, address(2), mark).get(0);
        assertThat(reply.response()).isTrue();
        assertThat(reply.cluster()).isEqualTo("tandem");
        assertThat(reply.state()).containsExactlyElementsOf(v.members());
    }

    @Test
    void pushPullResponseThatForcedARefutation_isFollowedByARequest_soThePeerHearsIt() {
        TestWorld.Host a = startA();
        world.deliver(address(2), a, new PushPull(id("b"), true, "tandem", List.of(
                member("b", 2, MemberStatus.ALIVE, 0), member("a", 1, MemberStatus.DEAD, 3))));
        List<PushPull> out = sent(PushPull.class, address(2), 0);
        assertThat(out).singleElement().satisfies(pp -> {
            assertThat(pp.response()).isFalse();
            assertThat(pp.state()).contains(member("a", 1, MemberStatus.ALIVE, 4));
        });
    }

    @Test
    void pushPullFromAnotherCluster_isIgnoredAndCounted() {
        TestWorld.Host a = startA();
        world.deliver(address(2), a, new PushPull(id("b"), false, "other", List.of(member("b", 2, MemberStatus.ALIVE, 0))));
        assertThat(a.view().members()).hasSize(1);
        assertThat(sent(PushPull.class, address(2), 0)).isEmpty();
        assertThat(a.counter("tandem.membership.foreign.cluster")).isEqualTo(1);
    }

    @Test
    void eachUpdate_isPiggyBackedExactlyRetransmitLimitTimes() {
        TestWorld.Host a = startA();
        introduce(a, "b", "c");
        Member d = member("d", 5, MemberStatus.ALIVE, 0);
        world.deliver(address(2), a, new Gossip(id("b"), List.of(Claim.of(d))));
        int mark = world.sent.size();
        // keep a busy answering pings so it has plenty of messages to piggy-back on
        for (int i = 0; i < 30; i++) {
            world.deliver(address(2), a, new Ping(id("b"), 1000 + i, id("a"), List.of()));
        }
        long carried = world.sent.subList(mark, world.sent.size()).stream()
                .filter(s -> s.message().gossip().stream().anyMatch(c -> c.member().equals(d))).count();
        int limit = a.swim().dissemination().retransmitLimit(a.view().liveMembers().size());
        assertThat(limit).isEqualTo(4); // λ = 4, ceil(log10(4 + 1)) = 1
        assertThat(carried).isEqualTo(limit);
    }

    @Test
    void malformedMessages_areDroppedAndCounted_neverThrown() {
        TestWorld.Host a = startA();
        world.deliverRaw(address(2), a, new byte[0]);
        world.deliverRaw(address(2), a, new byte[] {9, 1});
        world.deliverRaw(address(2), a, new byte[] {1, 99, 1, 'b', 1});
        byte[] ok = SwimCodec.encode(new Ping(id("b"), 1, id("a"), List.of()));
        world.deliverRaw(address(2), a, java.util.Arrays.copyOf(ok, ok.length + 1));
        assertThat(a.counter("tandem.membership.messages.malformed")).isEqualTo(4);
        assertThat(a.view().version()).isEqualTo(1);
    }

    @Test
    void pause_raisesLocalHealth_whichStretchesEachProbe() {
        // never-suspect keeps b probe-able, so the stretched period can be observed for a while
        TestWorld.Host a = world.start("a", 1, 1, settings().withSabotage(GossipSettings.Sabotage.NEVER_SUSPECT));
        introduce(a, "b");
        awaitPing(address(2));
        long t0 = world.nowNanos;
        world.pause(a, Duration.ofSeconds(3));
        world.runFor(Duration.ofSeconds(4));
        MembershipDiagnostics d = a.swim().diagnostics();
        assertThat(d.pauses()).isEqualTo(1);
        // the period timer was due at t0 + 1 s and ran at t0 + 3 s: 2 s late / 0.5 s threshold = +4
        assertThat(d.localHealth()).isEqualTo(4);
        world.runFor(Duration.ofSeconds(16));
        List<Long> pingSeconds = world.sent.stream().filter(s -> s.atNanos() > t0 && s.message() instanceof Ping)
                .map(s -> (s.atNanos() - t0) / 100_000_000L).toList();
        // grace: one scaled probe timeout (0.5 s × 5) after waking, so the interrupted probe ends
        // at 5.5 s; each failed probe adds one more to the score and lasts 1 s × (score + 1); b,
        // the only member, is probed again at the first tick (every 1 s from waking at 3 s)
        // after its last probe ended: 5.5 -> 6 (lasts 6 s) -> 12 (7 s) -> 19
        assertThat(pingSeconds).as("ping times after t0 in tenths of a second").containsExactly(60L, 120L, 190L);
        assertThat(a.swim().diagnostics().localHealth()).isEqualTo(7);
    }

    /** Times (ns) of the pings {@code a} sent to {@code name} after index {@code mark} of the sent log. */
    private List<Long> pingTimes(String name, int mark) {
        return world.sent.subList(mark, world.sent.size()).stream()
                .filter(s -> s.message() instanceof Ping p && p.target().name().equals(name))
                .map(TestWorld.Sent::atNanos).toList();
    }

    @Test
    void lowLocalHealth_stretchesEachProbe_butNotTheRound_soEveryMemberIsProbedWithinNinePeriods() {
        // never-suspect keeps the silent members probe-able; a pause drives the score to the ceiling
        TestWorld.Host a = world.start("a", 1, 1, settings().withSabotage(GossipSettings.Sabotage.NEVER_SUSPECT));
        introduce(a, "b", "c", "d", "e");
        world.runFor(Duration.ofSeconds(1));
        world.pause(a, Duration.ofSeconds(5));
        world.runFor(Duration.ofSeconds(6));
        assertThat(a.swim().diagnostics().localHealth()).isEqualTo(7);
        int mark = world.sent.size();
        long t0 = world.nowNanos;
        world.runFor(Duration.ofSeconds(40));
        assertThat(a.swim().diagnostics().localHealth()).as("nobody answers: the score stays at the ceiling").isEqualTo(7);
        // Each probe lasts 8 periods at score 7; with one probe at a time and the period stretched
        // as much, each of the 4 members waited 32 s for its turn.
        for (String name : List.of("b", "c", "d", "e")) {
            List<Long> times = new ArrayList<>(pingTimes(name, mark));
            times.add(0, t0);
            times.add(world.nowNanos);
            for (int i = 1; i < times.size(); i++) {
                assertThat(Duration.ofNanos(times.get(i) - times.get(i - 1)))
                        .as("gap between direct probes of %s (ping times %s)", name, pingTimes(name, mark))
                        .isLessThanOrEqualTo(Duration.ofSeconds(9));
            }
        }
    }

    @Test
    void indirectProbes_askAliveMembersOnly_notSuspects() {
        TestWorld.Host a = startA();
        introduce(a, "b", "c", "d", "e");
        // c and d are suspected: likely dead or cut off, so their nacks would likely not come, and
        // every missing nack counts against a's own health
        world.deliver(address(2), a, new Gossip(id("b"), List.of(
                new Claim(member("c", 3, MemberStatus.SUSPECT, 0), "b"), new Claim(member("d", 4, MemberStatus.SUSPECT, 0), "b"))));
        int mark = world.sent.size();
        world.runFor(Duration.ofSeconds(3));
        List<TestWorld.Sent> reqs = world.sent.subList(mark, world.sent.size()).stream()
                .filter(s -> s.message() instanceof PingReq).toList();
        assertThat(reqs).isNotEmpty();
        assertThat(reqs).extracting(TestWorld.Sent::to).doesNotContain(address(3), address(4));
    }

    @Test
    void aStaleAccusation_isAnsweredWithThisNodesCurrentAliveClaim() {
        TestWorld.Host a = startA();
        introduce(a, "b");
        world.deliver(address(2), a, new Gossip(id("b"), List.of(new Claim(member("a", 1, MemberStatus.SUSPECT, 0), "b"))));
        assertThat(a.swim().diagnostics().ownVersion()).isEqualTo(1);
        // b missed the refutation (lost, or a could not get messages out) and declares a dead at v0
        int mark = world.sent.size();
        world.deliver(address(2), a, new Gossip(id("b"), List.of(new Claim(member("a", 1, MemberStatus.DEAD, 0), "b"))));
        assertThat(a.swim().diagnostics().ownVersion()).as("nothing new to refute").isEqualTo(1);
        assertThat(a.swim().diagnostics().refutations()).isEqualTo(1);
        assertThat(sent(Gossip.class, address(2), mark)).flatExtracting(Gossip::gossip).extracting(Claim::member)
                .contains(member("a", 1, MemberStatus.ALIVE, 1));
    }

    @Test
    void aMemberBackFromTheDead_isToldOfTheDeathsItMissed() {
        TestWorld.Host a = startA();
        introduce(a, "b", "c", "d");
        world.deliver(address(3), a, new Gossip(id("c"), List.of(
                new Claim(member("b", 2, MemberStatus.DEAD, 0), "c"), new Claim(member("d", 4, MemberStatus.DEAD, 0), "c"))));
        // b was cut off, not dead: it refutes; while it was dead nobody gossiped to it
        int mark = world.sent.size();
        world.deliver(address(2), a, new Gossip(id("b"), List.of(Claim.of(member("b", 2, MemberStatus.ALIVE, 1)))));
        assertThat(in(a.view(), "b").status()).isEqualTo(MemberStatus.ALIVE);
        assertThat(sent(Gossip.class, address(2), mark)).flatExtracting(Gossip::gossip).extracting(Claim::member)
                .containsExactly(member("d", 4, MemberStatus.DEAD, 0));
    }

    @Test
    void aMemberDeclaredDead_isToldSoEveryPeriod_forOnePushPullInterval() {
        TestWorld.Host a = startA();
        introduce(a, "b");
        world.deliver(address(3), a, new Gossip(id("c"), List.of(new Claim(member("b", 2, MemberStatus.DEAD, 0), "c"))));
        long deadAt = world.nowNanos;
        int mark = world.sent.size();
        world.runFor(Duration.ofSeconds(40));
        List<Long> told = world.sent.subList(mark, world.sent.size()).stream()
                .filter(s -> s.to().equals(address(2)) && s.message() instanceof Gossip g
                        && g.gossip().stream().anyMatch(c -> c.member().equals(member("b", 2, MemberStatus.DEAD, 0))))
                .map(s -> (s.atNanos() - deadAt) / 1_000_000_000L).toList();
        assertThat(told).as("seconds after b's death at which a told b").hasSizeBetween(29, 31)
                .allMatch(t -> t <= 30);
    }

    @Test
    void ackQueuedDuringAPause_isReadBeforeTheProbeConcludes() {
        TestWorld.Host a = startA();
        introduce(a, "b");
        Ping ping = awaitPing(address(2));
        world.pause(a, Duration.ofSeconds(3));
        // b's ack reaches a's queue after a's period timer was due; both wait for a to wake up
        world.runFor(Duration.ofMillis(1200));
        a.ctx.scheduler().execute(() -> world.deliver(address(2), a, new Ack(id("b"), ping.seq(), List.of())));
        awaitPing(address(2)); // the tick that concludes the interrupted probe starts the next one
        assertThat(a.swim().diagnostics().pauses()).isEqualTo(1);
        assertThat(a.swim().diagnostics().suspicionsRaised()).isZero();
        assertThat(in(a.view(), "b").status()).isEqualTo(MemberStatus.ALIVE);
    }

    @Test
    void successfulProbes_lowerTheHealthScoreAgain() {
        TestWorld.Host a = startA();
        introduce(a, "b");
        world.deliver(address(2), a, new Gossip(id("b"), List.of(new Claim(member("a", 1, MemberStatus.SUSPECT, 0), "b"))));
        world.deliver(address(2), a, new Gossip(id("b"), List.of(new Claim(member("a", 1, MemberStatus.SUSPECT, 1), "b"))));
        assertThat(a.swim().diagnostics().localHealth()).isEqualTo(2);
        for (int i = 0; i < 2; i++) {
            Ping p = awaitPing(address(2));
            world.deliver(address(2), a, new Ack(id("b"), p.seq(), List.of()));
        }
        awaitPing(address(2)); // the tick that concludes the second probe
        assertThat(a.swim().diagnostics().localHealth()).isZero();
    }

    @Test
    void close_stopsEverything_silently() {
        TestWorld.Host a = startA();
        introduce(a, "b");
        a.membership.close();
        int mark = world.sent.size();
        MembershipView v = a.view();
        world.runFor(Duration.ofSeconds(120));
        world.deliver(address(2), a, new Ping(id("b"), 1, id("a"), List.of()));
        assertThat(world.sent.subList(mark, world.sent.size())).isEmpty();
        assertThat(a.view()).isSameAs(v);
    }

    @Test
    void metrics_exposeViewVersionAndHealth() {
        TestWorld.Host a = startA();
        introduce(a, "b", "c");
        assertThat(a.meters.get("tandem.membership.view.version").gauge().value()).isEqualTo(3.0);
        assertThat(a.meters.get("tandem.membership.members.live").gauge().value()).isEqualTo(3.0);
        assertThat(a.meters.get("tandem.membership.health").gauge().value()).isZero();
        assertThat(a.meters.get("tandem.membership.probes").tag("node", "a").tag("incarnation", "1").counter()).isNotNull();
    }

    @Test
    void probeOrder_visitsEveryLiveMemberOncePerRound() {
        // never-suspect and no health scaling: nobody answers, but the round must still cover everyone
        TestWorld.Host a = world.start("a", 1, 1, GossipSettings.fromOptions("static", false, StrategyOptions.of(
                Map.of("seeds", "10.0.0.1:1", "sabotage", "never-suspect", "health-max", "1"))));
        introduce(a, "b", "c", "d", "e", "f");
        int mark = world.sent.size();
        world.runUntil(() -> world.sent.subList(mark, world.sent.size()).stream().filter(s -> s.message() instanceof Ping)
                .count() >= 10, Duration.ofSeconds(30));
        List<String> targets = world.sent.subList(mark, world.sent.size()).stream().map(TestWorld.Sent::message)
                .filter(Ping.class::isInstance).map(m -> ((Ping) m).target().name()).limit(10).toList();
        Set<String> firstRound = new TreeSet<>(targets.subList(0, 5));
        Set<String> secondRound = new TreeSet<>(targets.subList(5, 10));
        assertThat(firstRound).as("targets " + targets).containsExactly("b", "c", "d", "e", "f");
        assertThat(secondRound).as("targets " + targets).containsExactly("b", "c", "d", "e", "f");
    }
}
