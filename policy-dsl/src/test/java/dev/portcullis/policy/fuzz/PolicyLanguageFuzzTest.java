package dev.portcullis.policy.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import dev.portcullis.policy.AccessPolicy;

/**
 * Fuzzes the policy language: any text either parses or is refused with {@link dev.portcullis.policy.InvalidPolicyException}
 * (the error that names the line and what to do); a parsed policy answers every question without an
 * exception. Replays its seeds in every build; fuzzes with {@code mvn -Pfuzz}.
 */
class PolicyLanguageFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void anyTextParsesOrIsRefusedClearly(@NotNull String text) {
        PolicyFuzzing.loadAndAsk(() -> AccessPolicy.parse(text));
    }
}
