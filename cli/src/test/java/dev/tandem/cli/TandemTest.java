package dev.tandem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TandemTest {

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Tandem.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void placement_printsBalanceMovementAndLookupRate() {
        Run r = run("placement", "--strategy", "ring", "--nodes", "5", "--keys", "20000", "--seed", "7");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("strategy=ring nodes=5 keys=20,000 replicas=2 seed=7")
                .contains("balance   max/mean").contains("node-5   joins").contains("leaves").contains("owner lookups/s");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void placement_json_isOneObjectWithTheFigures() {
        Run r = run("placement", "--strategy", "rendezvous", "--nodes", "3", "--keys", "10000", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out().strip()).startsWith("{\"strategy\":\"rendezvous\"").endsWith("}")
                .contains("\"maxOverMean\":").contains("\"ratioToIdeal\":").contains("\"lookupsPerSecond\":");
        assertThat(r.out().strip().lines()).hasSize(1);
    }

    @Test
    void placement_sameSeed_sameFigures() {
        String a = run("placement", "--strategy", "ring", "--nodes", "4", "--keys", "5000", "--seed", "3", "--json").out();
        String b = run("placement", "--strategy", "ring", "--nodes", "4", "--keys", "5000", "--seed", "3", "--json").out();
        assertThat(a.replaceAll("\"lookupsPerSecond\":[0-9.E]+", ""))
                .isEqualTo(b.replaceAll("\"lookupsPerSecond\":[0-9.E]+", ""));
    }

    @Test
    void placement_strategySetting_reachesTheStrategy() {
        Run r = run("placement", "--strategy", "ring", "-o", "virtual-nodes=8", "--nodes", "3", "--keys", "1000");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("options={virtual-nodes=8}");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "placement --nodes 0              | --nodes must be from 1 to 10000, was 0",
        "placement --nodes many           | Invalid value for option '--nodes': 'many' is not an int",
        "placement --replicas 17          | --replicas must be from 1 to 16, was 17",
        "placement --strategy rng         | no placement strategy named 'rng'; available: rendezvous, ring",
        "placement --strategy ring -o vnodes=3 | strategy 'ring' has no setting vnodes",
        "placement --frobnicate           | Unknown option: '--frobnicate'",
        "launch                           | Unmatched argument at index 0: 'launch'",
        "node a --secret tandem-test-secret-0123 --metrics-port 70000 | --metrics-port must be from 0 to 65535, was 70000",
        "node a --secret tandem-test-secret-0123 --handoff-timeout -1 | --handoff-timeout must be from 0 to 3600 seconds, was -1",
    })
    void badArguments_oneLineError_exitCode2_noStackTrace(String args, String message) {
        Run r = run(args.strip().split("\\s+"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains(message).doesNotContain("\tat ").doesNotContain("Exception");
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.out()).isEmpty();
    }

    @Test
    void node_metricsPortInUse_oneLineError_exitCode2() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Run r = run("node", "a", "--secret", "tandem-test-secret-0123", "--discovery", "static", "--seeds", "127.0.0.1:1",
                    "--metrics-port", Integer.toString(port));
            assertThat(r.code()).as(r.err()).isEqualTo(2);
            assertThat(r.err()).contains("cannot serve metrics on 127.0.0.1:" + port).contains("in use")
                    .doesNotContain("\tat ");
            assertThat(r.err().strip().lines()).hasSize(1);
        }
    }

    @Test
    void demo_smallRun_keepsTwoCopiesThroughAJoinAndAKill_andReadsEveryKeyBack() {
        Run r = run("demo", "--keys", "3000");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("a, b, c see each other")
                .contains("= 6,000 copies (exactly two per key)")
                .contains("node d joins").contains("is killed")
                .contains("3,000 keys read").contains("every key has its value")
                .doesNotContain("EXPECTED").doesNotContain("MISSING");
        assertThat(r.out()).contains("8. named workers").contains("incarnation 2")
                .contains("runs once, on a live node").doesNotContain("FAILED").doesNotContain("NOT HIGHER");
    }

    @Test
    void help_listsSubcommands() {
        Run r = run("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("placement").contains("demo").contains("node").contains("sim");
    }
}
