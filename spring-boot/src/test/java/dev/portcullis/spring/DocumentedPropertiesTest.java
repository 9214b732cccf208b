package dev.portcullis.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.io.StringReader;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every key of a {@code properties} block in the README and docs/ is a property that this module or Spring Boot
 * declares, as their configuration metadata on the class path lists them (auth-conformance's ReadmeExamplesTest checks
 * the blocks' other languages).
 */
class DocumentedPropertiesTest {
    private static final Pattern BLOCK = Pattern.compile("^\\s*```properties\\n(.*?)^\\s*```", Pattern.DOTALL | Pattern.MULTILINE);

    static Set<String> declaredProperties() throws Exception {
        Set<String> names = new TreeSet<>();
        for (URL metadata : Collections.list(DocumentedPropertiesTest.class.getClassLoader().getResources("META-INF/spring-configuration-metadata.json"))) {
            try (InputStream in = metadata.openStream()) {
                for (JsonNode property : new ObjectMapper().readTree(in).path("properties")) {
                    names.add(property.get("name").asText());
                }
            }
        }
        return names;
    }

    @Test
    void everyDocumentedPropertyIsDeclared() throws Exception {
        Set<String> declared = declaredProperties();
        assertThat(declared).as("this module's").contains("portcullis.config", "portcullis.filter-order", "portcullis.url-patterns");
        List<Path> documents = new ArrayList<>(List.of(Path.of("..", "README.md")));
        try (Stream<Path> docs = Files.list(Path.of("..", "docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted()
                    .forEach(documents::add);
        }
        List<String> keys = new ArrayList<>();
        for (Path document : documents) {
            Matcher block = BLOCK.matcher(Files.readString(document));
            while (block.find()) {
                Properties properties = new Properties();
                properties.load(new StringReader(block.group(1)));
                for (String key : properties.stringPropertyNames()) {
                    assertThat(declared).as("%s: %s is a property of Portcullis or Spring Boot", document, key).contains(key);
                    keys.add(key);
                }
            }
        }
        assertThat(keys).contains("portcullis.config", "spring.mvc.formcontent.filter.enabled");
    }
}
