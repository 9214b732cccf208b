package dev.portcullis.auth.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's examples marked {@code <!-- compiled: PATH -->} are the source files at PATH, word for word, so what a
 * reader copies is what the build compiles and tests: the authenticator (its test, DirectoryTokenAuthenticatorTest) and
 * the reference adapter (JdkHttpServerConformanceTest, every conformance case).
 */
class ReadmeExamplesTest {
    private static final Path ROOT = Path.of("..");
    private static final Pattern EXAMPLE = Pattern.compile("<!-- compiled: (\\S+) -->\n```java\n(.*?)\n```", Pattern.DOTALL);

    @Test
    void everyCompiledExampleIsItsSourceFile() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        Matcher m = EXAMPLE.matcher(readme);
        int examples = 0;
        while (m.find()) {
            examples++;
            Path source = ROOT.resolve(m.group(1));
            assertThat(source).as("the README names a source file").exists();
            assertThat(Files.readString(source)).as("README example from %s", m.group(1)).contains(m.group(2));
        }
        assertThat(examples).as("the authenticator and the adapter").isGreaterThanOrEqualTo(2);
    }
}
