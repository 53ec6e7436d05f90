package dev.tandem.transport.netty;

import static dev.tandem.transport.netty.TestNode.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.runtime.Transport;
import io.netty.channel.Channel;
import java.io.DataOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** Two or three transports in one JVM on 127.0.0.1, ephemeral ports. */
class NettyTransportTest {

    @Test
    void messagesFlowBothWays_fromTheAuthenticatedAddress_onTheNodesThread() {
        try (TestNode a = TestNode.start("a"); TestNode b = TestNode.start("b")) {
            a.send(b.address(), "hello b");
            TestNode.Received atB = b.receive();
            assertThat(atB.text()).isEqualTo("hello b");
            assertThat(atB.from()).isEqualTo(a.address());
            assertThat(atB.thread().getName()).startsWith("tandem-node-b");
            b.send(a.address(), "hello a");
            TestNode.Received atA = a.receive();
            assertThat(atA.text()).isEqualTo("hello a");
            assertThat(atA.from()).isEqualTo(b.address());
            assertThat(a.counter("tandem.transport.handshakes.completed", null)).isEqualTo(1);
        }
    }

    @Test
    void aBurstOnAnEstablishedConnection_arrivesWholeAndInOrder() {
        try (TestNode a = TestNode.start("a"); TestNode b = TestNode.start("b")) {
            a.send(b.address(), "connect"); // before the handshake only maxPendingMessagesPerPeer would queue
            assertThat(b.receive().text()).isEqualTo("connect");
            int n = 5_000;
            a.onLoop(() -> {
                for (int i = 0; i < n; i++) {
                    a.send(b.address(), "m" + i);
                }
                return null;
            });
            for (int i = 0; i < n; i++) {
                assertThat(b.receive().text()).isEqualTo("m" + i);
            }
        }
    }

    @Test
    void hostNames_areResolvedOffTheEventLoop_andAnUnresolvableOneIsDroppedAndCounted() {
        try (TestNode a = TestNode.start("a"); TestNode b = TestNode.start("b")) {
            a.send(new NodeAddress("localhost", b.address().port()), "by name");
            assertThat(b.receive().text()).isEqualTo("by name");

            a.send(new NodeAddress("no-such-host.invalid", 7400), "nowhere");
            // The node keeps working while (and after) the lookup fails.
            a.send(b.address(), "still here");
            assertThat(b.receive().text()).isEqualTo("still here");
            await("the message to an unresolvable host is dropped as unreachable",
                    () -> a.counter("tandem.transport.messages.dropped", "unreachable") >= 1);
        }
    }

    @Test
    void aPeerThatGoesAway_isHinted_whenItsConnectionCloses_andWhenAReconnectIsRefused() throws Exception {
        try (TestNode a = TestNode.start("a")) {
            java.util.concurrent.BlockingQueue<NodeAddress> hints = new java.util.concurrent.LinkedBlockingQueue<>();
            a.onLoop(() -> {
                a.runtime.context().transport().onUnreachable(hints::add);
                return null;
            });
            NodeAddress gone;
            try (TestNode b = TestNode.start("b")) {
                gone = b.address();
                a.send(b.address(), "hello");
                assertThat(b.receive().text()).isEqualTo("hello");
                b.send(a.address(), "hi");
                assertThat(a.receive().text()).isEqualTo("hi");
                assertThat(hints).as("no hint while the peer is up").isEmpty();
            }
            assertThat(hints.poll(10, java.util.concurrent.TimeUnit.SECONDS)).as("hint on close").isEqualTo(gone);
            hints.clear();
            a.send(gone, "anyone?"); // nothing listens there now: the connection attempt is refused
            assertThat(hints.poll(10, java.util.concurrent.TimeUnit.SECONDS)).as("hint on refusal").isEqualTo(gone);
        }
    }

    @Test
    void sendToSelf_loopsBack() {
        try (TestNode a = TestNode.start("a")) {
            a.send(a.address(), "me");
            assertThat(a.receive().from()).isEqualTo(a.address());
        }
    }

    /** Repeated: the connect race it covers used to lose a message in about one run in four. */
    @RepeatedTest(25)
    void simultaneousConnects_settleOnOneConnectionBothSidesAgreeOn() {
        try (TestNode a = TestNode.start("a"); TestNode b = TestNode.start("b")) {
            CountDownLatch go = new CountDownLatch(1);
            a.runtime.context().scheduler().execute(() -> awaitLatch(go));
            b.runtime.context().scheduler().execute(() -> awaitLatch(go));
            a.send(b.address(), "from a");
            b.send(a.address(), "from b");
            go.countDown();
            // Both dial at once; each side retires the same duplicate, by a half-close, so nothing
            // written on either connection before the decision is lost.
            assertThat(b.receive().text()).isEqualTo("from a");
            assertThat(a.receive().text()).isEqualTo("from b");
            await("one connection on each side, the same one", () -> {
                Channel ca = a.onLoop(() -> active(a, b.address()));
                Channel cb = b.onLoop(() -> active(b, a.address()));
                return ca != null && cb != null && ca.localAddress().equals(cb.remoteAddress())
                        && a.transport().activeConnections() == 1 && b.transport().activeConnections() == 1;
            });
            a.send(b.address(), "after");
            assertThat(b.receive().text()).isEqualTo("after");
        }
    }

    private static Channel active(TestNode node, NodeAddress peer) {
        Channel ch = node.transport().activeChannel(peer);
        return ch != null && ch.isActive() ? ch : null;
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void reconnectsAfterThePeerRestarts() {
        try (TestNode a = TestNode.start("a")) {
            NodeAddress bAddress;
            try (TestNode b = TestNode.start("b")) {
                bAddress = b.address();
                a.send(bAddress, "first");
                assertThat(b.receive().text()).isEqualTo("first");
            }
            try (TestNode b2 = TestNode.start("b", 2, s -> s.bind("127.0.0.1", bAddress.port()))) {
                // The transport may lose messages while it notices the old connection is gone.
                long end = System.nanoTime() + TestNode.DEADLINE.toNanos();
                TestNode.Received r = null;
                for (int i = 0; r == null && System.nanoTime() < end; i++) {
                    a.send(bAddress, "again " + i);
                    try {
                        r = b2.inbox.poll(50, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                }
                assertThat(r).as("a message reached the restarted peer").isNotNull();
                assertThat(r.text()).startsWith("again");
                b2.send(a.address(), "back");
                assertThat(a.receive().text()).isEqualTo("back");
            }
        }
    }

    @Test
    void aPeerWithAnotherSecret_isRefusedBothWays_andNothingIsDelivered() {
        try (TestNode a = TestNode.start("a");
             TestNode c = TestNode.start("c", 1, s -> TransportSettings.builder("test", "a different secret, long enough")
                     .bind("127.0.0.1", 0))) {
            a.send(c.address(), "to c");
            c.send(a.address(), "to a");
            await("both sides refuse for the secret", () -> a.counter("tandem.transport.handshakes.refused", "secret") >= 1
                    && c.counter("tandem.transport.handshakes.refused", "secret") >= 1);
            await("the queued messages are dropped as unreachable",
                    () -> a.counter("tandem.transport.messages.dropped", "unreachable") >= 1
                            && c.counter("tandem.transport.messages.dropped", "unreachable") >= 1);
            assertThat(a.inbox).isEmpty();
            assertThat(c.inbox).isEmpty();
            assertThat(a.counter("tandem.transport.handshakes.completed", null)).isZero();
            assertThat(a.transport().activeConnections()).isZero();
        }
    }

    @Test
    void aPeerOfAnotherCluster_isRefused() {
        try (TestNode a = TestNode.start("a");
             TestNode d = TestNode.start("d", 1, s -> TransportSettings.builder("other-cluster", TestNode.SECRET)
                     .bind("127.0.0.1", 0))) {
            a.send(d.address(), "to d");
            await("both sides refuse for the cluster name",
                    () -> a.counter("tandem.transport.handshakes.refused", "cluster") >= 1
                            && d.counter("tandem.transport.handshakes.refused", "cluster") >= 1);
            assertThat(d.inbox).isEmpty();
            assertThat(d.counter("tandem.transport.handshakes.completed", null)).isZero();
        }
    }

    @Test
    void anOversizedFrame_closesThatConnection_countsIt_andTheNodeKeepsRunning() {
        try (TestNode a = TestNode.start("a");
             TestNode b = TestNode.start("b", 1, s -> s.maxFrameBytes(2048))) {
            a.send(b.address(), "small");
            assertThat(b.receive().text()).isEqualTo("small");
            a.onLoop(() -> {
                a.transport().send(b.address(), TestNode.CHANNEL, new byte[4096]);
                return null;
            });
            await("b counts the oversized frame", () -> b.counter("tandem.transport.frames.rejected", "oversized") == 1);
            await("a sees the connection closed", () -> a.transport().activeConnections() == 0);
            a.send(b.address(), "after");
            assertThat(b.receive().text()).isEqualTo("after");
            assertThat(b.inbox).isEmpty();
        }
    }

    @Test
    void garbageFromARawSocket_isRefused_andAnUnauthenticatedPeerCannotSendLargeFrames() throws Exception {
        try (TestNode b = TestNode.start("b")) {
            try (Socket s = rawSocket(b)) {
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                out.writeInt(5);
                out.writeByte(Frame.HELLO);
                out.writeInt(0xDEADBEEF);
                out.flush();
                assertClosedByPeer(s);
            }
            await("malformed hello refused", () -> b.counter("tandem.transport.handshakes.refused", "protocol") == 1);
            try (Socket s = rawSocket(b)) {
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                out.writeInt(TransportSettings.HANDSHAKE_MAX_FRAME_BYTES + 1);
                out.flush();
                assertClosedByPeer(s);
            }
            await("oversized pre-handshake frame counted",
                    () -> b.counter("tandem.transport.frames.rejected", "oversized") == 1);
            try (Socket s = rawSocket(b)) {
                new DataOutputStream(s.getOutputStream()).writeInt(0);
                assertClosedByPeer(s);
            }
            await("malformed frame counted", () -> b.counter("tandem.transport.frames.rejected", "malformed") == 1);
            assertThat(b.inbox).isEmpty();
        }
    }

    @Test
    void aSilentPeer_isClosedAtTheHandshakeTimeout() throws Exception {
        try (TestNode b = TestNode.start("b", 1, s -> s.handshakeTimeout(Duration.ofMillis(200)));
             Socket s = rawSocket(b)) {
            assertClosedByPeer(s);
            assertThat(b.counter("tandem.transport.handshakes.refused", "timeout")).isEqualTo(1);
        }
    }

    private static Socket rawSocket(TestNode node) throws Exception {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", node.address().port()), 5_000);
        s.setSoTimeout((int) TestNode.DEADLINE.toMillis());
        return s;
    }

    /** Reads (and ignores) the peer's hello until it closes; fails if it does not close in time. */
    private static void assertClosedByPeer(Socket s) throws Exception {
        InputStream in = s.getInputStream();
        byte[] buf = new byte[4096];
        for (int i = 0; i < 1000; i++) {
            int n;
            try {
                n = in.read(buf);
            } catch (java.net.SocketException reset) {
                return;
            }
            if (n < 0) {
                return;
            }
        }
        throw new AssertionError("peer kept sending and did not close");
    }

    @Test
    void backPressure_unwritableConnectionDropsAndCounts_thenRecovers() {
        try (TestNode a = TestNode.start("a", 1, s -> s.writeBufferWaterMarks(8 * 1024, 16 * 1024));
             TestNode b = TestNode.start("b")) {
            a.send(b.address(), "connect");
            assertThat(b.receive().text()).isEqualTo("connect");
            List<Boolean> writable = a.onLoop(() -> {
                List<Boolean> w = new ArrayList<>();
                Transport t = a.transport();
                w.add(t.isWritable(b.address()));
                t.send(b.address(), TestNode.CHANNEL, new byte[32 * 1024]); // unflushed until this task ends
                w.add(t.isWritable(b.address()));
                t.send(b.address(), TestNode.CHANNEL, new byte[10]);
                return w;
            });
            assertThat(writable).containsExactly(true, false);
            assertThat(a.counter("tandem.transport.messages.dropped", "backpressure")).isEqualTo(1);
            assertThat(b.receive().payload()).hasSize(32 * 1024);
            await("writable again once flushed", () -> a.onLoop(() -> a.transport().isWritable(b.address())));
        }
    }

    @Test
    void whileConnecting_thePendingQueueIsBounded() {
        try (TestNode a = TestNode.start("a", 1, s -> s.maxPendingPerPeer(10, 1 << 20));
             TestNode b = TestNode.start("b")) {
            boolean writableWhenFull = a.onLoop(() -> {
                for (int i = 0; i < 15; i++) {
                    a.send(b.address(), "m" + i);
                }
                return a.transport().isWritable(b.address());
            });
            assertThat(writableWhenFull).isFalse();
            assertThat(a.counter("tandem.transport.messages.dropped", "queue-full")).isEqualTo(5);
            for (int i = 0; i < 10; i++) {
                assertThat(b.receive().text()).isEqualTo("m" + i);
            }
        }
    }

    @Test
    void send_rejectsBadChannelsAndPayloads_andBindRejectsASecondHandler() {
        try (TestNode a = TestNode.start("a")) {
            Transport t = a.runtime.context().transport();
            assertThatThrownBy(() -> t.send(a.address(), 256, new byte[1])).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> t.send(a.address(), -1, new byte[1])).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> t.send(a.address(), 1, new byte[Transport.MAX_PAYLOAD_BYTES + 1]))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> t.bind(TestNode.CHANNEL, (from, p) -> { }))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("already");
        }
    }

    @Test
    void aMessageForAnUnboundChannel_isDroppedAndCounted() {
        try (TestNode a = TestNode.start("a"); TestNode b = TestNode.start("b")) {
            a.runtime.context().transport().send(b.address(), 200, new byte[] {1});
            a.send(b.address(), "bound");
            assertThat(b.receive().text()).isEqualTo("bound");
            assertThat(b.counter("tandem.transport.messages.dropped", "no-handler")).isEqualTo(1);
        }
    }
}
