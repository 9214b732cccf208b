package dev.portcullis.policy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.policy.PolicyDocument;
import dev.portcullis.policy.testing.PolicyCase;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The examples in docs/ are real: they parse, their tests pass, they lint clean and are formatted. */
class DocumentationExamplesTest {
    private static final Path DOCS = Path.of("..", "docs");

    @Test
    void theExamplePolicyAndItsCaseBundlePass() {
        PolicyCliTest.Run r = PolicyCliTest.cli("test", DOCS.resolve("examples/registry.policy").toString(),
                DOCS.resolve("examples/registry-cases.json").toString());
        assertThat(r.out()).isEqualTo("34 passed, 0 failed\n");
        assertThat(r.code()).isZero();
        assertThat(PolicyCliTest.cli("lint", DOCS.resolve("examples/registry.policy").toString()).out()).isEqualTo("no findings\n");
        assertThat(PolicyCliTest.cli("fmt", "--check", DOCS.resolve("examples/registry.policy").toString()).code()).isZero();
    }

    @Test
    void theCompleteExampleOfTheLanguageGuideParsesAndPasses() throws Exception {
        String guide = Files.readString(DOCS.resolve("policy-language.md"));
        int start = guide.indexOf("```policy\n", guide.indexOf("## A complete example")) + "```policy\n".length();
        String example = guide.substring(start, guide.indexOf("```", start));
        PolicyDocument doc = PolicyDocument.parse(example, "policy-language.md");
        assertThat(doc.cases()).hasSize(6);
        for (PolicyCase c : doc.cases()) {
            assertThat(c.decide(doc.policy()).allowed()).as(c.describe()).isEqualTo(c.expectAllowed());
        }
    }
}
