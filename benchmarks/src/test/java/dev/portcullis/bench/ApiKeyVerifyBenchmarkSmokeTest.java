package dev.portcullis.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.auth.apikey.KeyVerification;
import org.junit.jupiter.api.Test;

/** The harness starts and each path answers as its name says; speed is measured by JMH, not here. */
class ApiKeyVerifyBenchmarkSmokeTest {

    @Test
    void everyPathAnswersAsNamed() {
        ApiKeyVerifyBenchmark b = new ApiKeyVerifyBenchmark();
        ApiKeyVerifyBenchmark.Keys keys = new ApiKeyVerifyBenchmark.Keys();
        ApiKeyVerifyBenchmark.Cursor cursor = new ApiKeyVerifyBenchmark.Cursor();
        keys.setUp();
        try {
            assertThat(b.cached(keys)).isInstanceOf(KeyVerification.Valid.class);
            assertThat(b.uncachedArgon2id(keys)).isInstanceOf(KeyVerification.Valid.class);
            assertThat(b.malformed(keys, cursor)).isEqualTo(new KeyVerification.Rejected(KeyVerification.Reason.MALFORMED));
            assertThat(b.unknownId(keys, cursor)).isEqualTo(new KeyVerification.Rejected(KeyVerification.Reason.UNKNOWN_KEY));
            assertThat(b.floodWrong(keys, cursor)).isInstanceOf(KeyVerification.Rejected.class);
            assertThat(b.floodValid(keys)).isInstanceOf(KeyVerification.Valid.class);
        } finally {
            keys.tearDown();
        }
    }
}
