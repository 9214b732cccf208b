package dev.portcullis.auth.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import dev.portcullis.auth.PortcullisConfig;
import dev.portcullis.policy.InvalidPolicyException;
import java.nio.file.Path;

/**
 * Fuzzes the zot-compatible configuration file: any text either loads or is refused with
 * {@link InvalidPolicyException}, whose message names what is wrong; nothing else escapes.
 */
class ConfigFuzzTest {
    private static final Path BASE = Path.of("target", "fuzz-config").toAbsolutePath();

    @FuzzTest(maxDuration = "30s")
    void anyConfigLoadsOrIsRefusedClearly(@NotNull String json) {
        try {
            PortcullisConfig.parse(json, BASE);
        } catch (InvalidPolicyException expected) {
            // the documented refusal
        }
    }
}
