package dev.portcullis.auth.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The examples in the README and in docs/ marked {@code <!-- compiled: PATH -->} are the source files at PATH, word for
 * word, so what a reader copies is what the build compiles and tests: the authenticator (its test,
 * DirectoryTokenAuthenticatorTest) and the reference adapter (JdkHttpServerConformanceTest, every conformance case).
 */
class ReadmeExamplesTest {
    private static final Path ROOT = Path.of("..");
    private static final Pattern EXAMPLE = Pattern.compile("<!-- compiled: (\\S+) -->\n```java\n(.*?)\n```", Pattern.DOTALL);

    @Test
    void everyCompiledExampleIsItsSourceFile() throws IOException {
        List<Path> documents = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(documents::add);
        }
        int examples = 0;
        for (Path document : documents) {
            Matcher m = EXAMPLE.matcher(Files.readString(document));
            while (m.find()) {
                examples++;
                Path source = ROOT.resolve(m.group(1));
                assertThat(source).as("%s names a source file", document).exists();
                assertThat(Files.readString(source)).as("%s: example from %s", document, m.group(1)).contains(m.group(2));
            }
        }
        assertThat(examples).as("the authenticator and the adapter").isGreaterThanOrEqualTo(2);
    }
}
