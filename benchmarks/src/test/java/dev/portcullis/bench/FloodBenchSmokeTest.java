package dev.portcullis.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The flood harness runs its three phases and prints a rate for each; the figures themselves come from real runs. */
class FloodBenchSmokeTest {

    @Test
    void everyPhaseReportsARate() throws Exception {
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            FloodBench.main(new String[] {"1", "1"});
        } finally {
            System.setOut(out);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8).lines())
                .anySatisfy(l -> assertThat(l).matches("quiet +[0-9,]+ +1\\.000 +[0-9,]+ +1\\.000"))
                .anySatisfy(l -> assertThat(l).matches("flood +[0-9,]+ +[0-9.]+ +[0-9,]+ +[0-9.]+"))
                .anySatisfy(l -> assertThat(l).matches("control +[0-9,]+ +[0-9.]+ +[0-9,]+ +[0-9.]+"));
    }
}
