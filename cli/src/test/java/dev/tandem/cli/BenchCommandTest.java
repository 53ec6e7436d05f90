package dev.tandem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code tandem bench} end to end on a small load: real node JVMs, a real kill -9. The figures
 * themselves are not asserted (a benchmark prints, it does not judge); that every figure is
 * there, with its reference and target, and that the run cleans up after itself, is.
 */
class BenchCommandTest {

    @Test
    void smallRun_printsEveryFigureWithItsReferenceAndTarget() {
        TandemTest.Run r = TandemTest.run("bench", "--keys", "2000", "--seconds", "1", "--warmup", "1", "--heap", "256m");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out())
                .contains("round trips, sync (app thread)").contains("round trips, 256 in flight (loop)")
                .contains("heap per entry, both copies").contains("(<= 160 B: ")
                .contains("a, b and c see each other").contains("two copies on the new owners").contains("(<= 1.0 s: ")
                .contains("puts, one synchronous caller").contains("x raw (target >= 0.80: ")
                .contains("round trips, sync, in the same slices")
                .containsPattern("per slice pair, store / raw: [0-9.]+ \\([0-9.]+k/[0-9.]+k\\)(, [0-9.]+ \\([0-9.]+k/[0-9.]+k\\))*;"
                        + " [0-9.]+ x the better of the two references above")
                .contains("puts, 256 in flight").contains("x raw (target >= 0.40: ")
                .contains("gets, one synchronous caller").contains("gets, 256 in flight")
                .contains("declared dead by a and b after the kill")
                .contains("two copies of every key again after the kill")
                .contains("us per operation (client ").contains("us per operation (a ").contains("CPUs busy")
                .containsPattern("JIT compilers [0-9.]+ s of it \\(a [0-9.]+, b [0-9.]+, c [0-9.]+\\)")
                .containsPattern("started and see each other after [0-9.]+ s \\(warm-up before joining: a [0-9.]+ s, b [0-9.]+ s\\)")
                .containsPattern("c's JVM started its node [0-9.]+ s after launch \\(warm-up before joining: c [0-9.]+ s\\)")
                // two of three keys have a copy on a (placement spreads them; 2,000 keys leave some slack)
                .containsPattern("keys a holds a copy of \\((5[5-9]|6[0-9]|7[0-9]) %\\): p50 [0-9]+ us; keys it does not: p50 [0-9]+ us")
                .doesNotContain("operations failed");
        assertThat(ProcessHandle.current().children()).as("child JVMs left running").isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(longs = {0, 7, 10, 99, 1_000_000, Long.MAX_VALUE})
    void keysAndValues_areTheDecimalStrings(long i) {
        assertThat(BenchNodeCommand.key(i)).isEqualTo(("key-" + i).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(BenchNodeCommand.value(i)).isEqualTo(Long.toString(i).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "bench --keys 10          | --keys must be from 1000 to 10000000, was 10",
        "bench --seconds 0        | --seconds must be from 1 to 60, was 0",
        "bench --heap lots        | --heap must look like 512m or 2g, was lots",
        "bench --warmup 61        | --warmup must be from 0 to 60, was 61",
    })
    void badArguments_oneLineError_exitCode2(String args, String message) {
        TandemTest.Run r = TandemTest.run(args.strip().split("\\s+"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains(message).doesNotContain("\tat ");
        assertThat(r.err().strip().lines()).hasSize(1);
    }
}
