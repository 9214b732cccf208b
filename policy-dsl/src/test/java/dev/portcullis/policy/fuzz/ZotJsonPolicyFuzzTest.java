package dev.portcullis.policy.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import dev.portcullis.policy.AccessPolicy;
import dev.portcullis.policy.InvalidPolicyException;

/**
 * Fuzzes zot's JSON access-control configuration: any text either loads or is refused with
 * {@link InvalidPolicyException}; a loaded policy answers every question without an exception.
 */
class ZotJsonPolicyFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void anyJsonLoadsOrIsRefusedClearly(@NotNull String text) {
        AccessPolicy policy;
        try {
            policy = AccessPolicy.fromZotJson(text);
        } catch (InvalidPolicyException expected) {
            return;
        }
        PolicyFuzzing.ask(policy);
    }
}
