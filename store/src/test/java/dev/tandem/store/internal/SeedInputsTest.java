package dev.tandem.store.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The committed fuzz seeds are valid messages of their types, so the fuzzer starts past the header checks. */
class SeedInputsTest {

    @Test
    void committedSeeds_decode() throws IOException {
        for (String name : List.of("seed-write", "seed-push", "seed-push-ack", "seed-digest", "seed-digest-reply")) {
            try (InputStream in = SeedInputsTest.class.getResourceAsStream(
                    "MessagesFuzzTestInputs/decode_returnsAMessageOrMalformed/" + name)) {
                assertThat(in).as(name).isNotNull();
                byte[] bytes = in.readAllBytes();
                Messages.Envelope env = Messages.decode(bytes, MessageGen.LIMITS);
                assertThat(Messages.encode(env.header(), env.body())).as(name).isEqualTo(bytes);
            }
        }
    }
}
