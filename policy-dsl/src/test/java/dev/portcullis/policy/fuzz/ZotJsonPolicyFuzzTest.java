package dev.portcullis.policy.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import dev.portcullis.policy.AccessPolicy;

/**
 * Fuzzes zot's JSON access-control configuration: any text either loads or is refused with
 * {@link dev.portcullis.policy.InvalidPolicyException}; a loaded policy answers every question without an exception.
 */
class ZotJsonPolicyFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void anyJsonLoadsOrIsRefusedClearly(@NotNull String text) {
        PolicyFuzzing.loadAndAsk(() -> AccessPolicy.fromZotJson(text));
    }
}
