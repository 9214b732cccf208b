package dev.portcullis.auth.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.portcullis.auth.PortcullisConfig;
import dev.portcullis.auth.session.SessionKeyRing;
import dev.portcullis.policy.AccessPolicy;
import dev.portcullis.policy.PolicyDocument;
import dev.portcullis.policy.cli.PolicyCli;
import dev.portcullis.policy.testing.PolicyCase;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import picocli.CommandLine;

/**
 * Every fenced block of the README and of docs/ is checked, according to its language, so that what a reader copies
 * works:
 *
 * <ul>
 *   <li>{@code java}, and {@code xml} that is part of a {@code web.xml}: preceded by {@code <!-- compiled: PATH -->},
 *       where PATH is a test source that holds the block line for line (indentation aside), in code that a test runs
 *       and asserts on;
 *   <li>{@code xml} naming dependencies: each is an artifact of this build, without a version only if the BOM manages it;
 *   <li>{@code json}: parses; a zot configuration (or a section of one) loads with {@link PortcullisConfig#parse}, an
 *       {@code accessControl} object with {@link AccessPolicy#fromZotJson(String)}, a case bundle passes;
 *   <li>{@code policy}: parses, and its tests pass;
 *   <li>{@code sh}: {@code java -jar} runs a jar this build makes, with a command and options its command line accepts
 *       (the example registry's: {@code RegistryCommandsInDocsTest} in examples);
 *   <li>{@code properties}: parses ({@code DocumentedPropertiesTest} in spring-boot checks the keys);
 *   <li>{@code text}: sample output and synopses, not checked.
 * </ul>
 *
 * A block in any other language, or without one, fails the build until it gets a check here.
 */
class ReadmeExamplesTest {
    private static final Path ROOT = Path.of("..");
    private static final Set<String> LANGUAGES = Set.of("java", "xml", "json", "policy", "sh", "properties", "text");
    /** The programs the shell blocks may run: only {@code java -jar} is checked; the others are the README's tour. */
    private static final Set<String> PROGRAMS = Set.of("java", "mvn", "skopeo", "curl", "head", "docker");
    private static final Set<String> WEB_XML_ELEMENTS = Set.of("filter", "filter-mapping", "listener", "servlet", "servlet-mapping", "context-param");
    private static final Pattern FENCE = Pattern.compile("(\\s*)```(\\S*)\\s*");
    private static final Pattern MARKER = Pattern.compile("\\s*<!-- compiled: (\\S+) -->\\s*");
    private static final ObjectMapper STRICT_JSON = JsonMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

    /** A fenced block: where it is, its language, the source it says it is compiled from (or null), its text. */
    record Block(String document, int line, String language, String compiledFrom, String text) {
        @Override
        public String toString() {
            return document + ":" + line + " (```" + language + ")";
        }
    }

    /** The README and docs/*.md, as repository-relative names. */
    static List<String> documents() throws IOException {
        List<String> documents = new ArrayList<>(List.of("README.md"));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.map(p -> "docs/" + p.getFileName()).filter(p -> p.endsWith(".md")).sorted()
                    .forEach(documents::add);
        }
        return documents;
    }

    /** Every fenced block of the documents; a list item's block loses the indentation of its fence. */
    static List<Block> blocks() throws IOException {
        List<Block> blocks = new ArrayList<>();
        for (String document : documents()) {
            List<String> lines = Files.readString(ROOT.resolve(document)).lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                Matcher open = FENCE.matcher(lines.get(i));
                if (!open.matches()) {
                    continue;
                }
                int indent = open.group(1).length();
                Matcher marker = i > 0 ? MARKER.matcher(lines.get(i - 1)) : null;
                StringBuilder text = new StringBuilder();
                int end = i + 1;
                while (end < lines.size() && !lines.get(end).strip().equals("```")) {
                    String line = lines.get(end);
                    text.append(line.length() >= indent && line.substring(0, indent).isBlank() ? line.substring(indent) : line.stripLeading())
                            .append('\n');
                    end++;
                }
                assertThat(end).as("%s:%d: the block is closed", document, i + 1).isLessThan(lines.size());
                blocks.add(new Block(document, i + 1, open.group(2), marker != null && marker.matches() ? marker.group(1) : null, text.toString()));
                i = end;
            }
        }
        return blocks;
    }

    static List<Block> blocks(String language) throws IOException {
        return blocks().stream().filter(b -> b.language().equals(language)).toList();
    }

    @Test
    void everyBlockIsInALanguageThisTestChecks() throws IOException {
        for (Block b : blocks()) {
            assertThat(b.language()).as("%s: name the block's language (```text for output)", b).isNotEmpty();
            assertThat(LANGUAGES).as("%s: a language this test does not check yet; add a check for it", b).contains(b.language());
        }
    }

    @Test
    void everyJavaBlockIsCodeThatATestRuns() throws IOException {
        List<Block> java = blocks("java");
        for (Block b : java) {
            assertThat(b.compiledFrom()).as("%s: put <!-- compiled: PATH --> before it, PATH being the test source that runs it", b).isNotNull();
        }
        assertThat(java).as("the embedding, authenticator, adapter, policy and Spring Boot examples").hasSizeGreaterThanOrEqualTo(15);
    }

    @Test
    void everyMarkedBlockIsInItsTestSourceLineForLine() throws IOException {
        int checked = 0;
        for (Block b : blocks()) {
            if (b.compiledFrom() == null) {
                continue;
            }
            assertThat(b.compiledFrom()).as("%s: a test source of a module", b).matches("[a-z/-]+/src/test/.+");
            Path source = ROOT.resolve(b.compiledFrom());
            assertThat(source).as("%s names a file", b).exists();
            assertThat(containsIgnoringIndentation(Files.readString(source), b.text()))
                    .as("%s is in %s line for line (indentation aside):%n%s", b, b.compiledFrom(), b.text()).isTrue();
            checked++;
        }
        assertThat(checked).isGreaterThanOrEqualTo(17);
    }

    /** Whether some run of consecutive lines of {@code source}, without their common indentation, is {@code block}'s. */
    static boolean containsIgnoringIndentation(String source, String block) {
        List<String> want = dedent(block.lines().toList());
        List<String> have = source.lines().toList();
        for (int i = 0; i + want.size() <= have.size(); i++) {
            if (dedent(have.subList(i, i + want.size())).equals(want)) {
                return true;
            }
        }
        return false;
    }

    static List<String> dedent(List<String> lines) {
        int indent = lines.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        return lines.stream().map(l -> l.isBlank() ? "" : l.substring(indent).stripTrailing()).toList();
    }

    @Test
    void xmlBlocksAreWebXmlDeployedByATestOrDependenciesOfThisBuild() throws Exception {
        Map<String, String> modules = moduleArtifacts();
        Set<String> managedByBom = managedByBom();
        String version = text(parseXml(Files.readString(ROOT.resolve("pom.xml"))).getDocumentElement(), "version");
        int dependencies = 0;
        for (Block b : blocks("xml")) {
            Element root = parseXml("<fragment>" + b.text() + "</fragment>").getDocumentElement();
            for (Element e : children(root)) {
                switch (e.getTagName()) {
                    case "filter", "filter-mapping", "listener", "servlet", "servlet-mapping", "context-param" ->
                            assertThat(b.compiledFrom()).as("%s: a web.xml fragment names the test web.xml that holds it", b).isNotNull();
                    case "servers" -> assertThat(children(e)).as("%s: Maven's settings.xml", b).allMatch(s -> s.getTagName().equals("server"));
                    case "dependency", "dependencyManagement" -> {
                        for (Element d : e.getTagName().equals("dependency") ? List.of(e) : descendants(e, "dependency")) {
                            String artifact = text(d, "groupId") + ":" + text(d, "artifactId");
                            assertThat(modules.values()).as("%s: %s is an artifact of this build", b, artifact).contains(artifact);
                            String v = text(d, "version");
                            if (v == null) {
                                assertThat(managedByBom).as("%s: %s has no version, so the BOM must manage it", b, artifact).contains(artifact);
                            } else {
                                assertThat(v).as("%s: %s", b, artifact).isEqualTo(version);
                            }
                            if ("import".equals(text(d, "scope"))) {
                                assertThat(artifact).as("%s: only the BOM is imported", b).isEqualTo("dev.portcullis:portcullis-bom");
                                assertThat(text(d, "type")).isEqualTo("pom");
                            }
                            dependencies++;
                        }
                    }
                    default -> fail("%s: <%s> is neither web.xml, a settings.xml's servers nor a POM's dependencies; add a check for it", b,
                            e.getTagName());
                }
            }
            if (b.compiledFrom() != null) {
                assertThat(children(root)).as("%s: web.xml only", b).allMatch(e -> WEB_XML_ELEMENTS.contains(e.getTagName()));
            }
        }
        assertThat(dependencies).isGreaterThanOrEqualTo(5);
    }

    /** Each module's directory and {@code groupId:artifactId}, from the POMs. */
    static Map<String, String> moduleArtifacts() throws Exception {
        Map<String, String> modules = new TreeMap<>();
        for (Element m : descendants(parseXml(Files.readString(ROOT.resolve("pom.xml"))).getDocumentElement(), "module")) {
            Element pom = parseXml(Files.readString(ROOT.resolve(m.getTextContent()).resolve("pom.xml"))).getDocumentElement();
            String group = text(pom, "groupId");
            modules.put(m.getTextContent(), (group != null ? group : "dev.portcullis") + ":" + text(pom, "artifactId"));
        }
        return modules;
    }

    static Set<String> managedByBom() throws Exception {
        Element bom = parseXml(Files.readString(ROOT.resolve("bom/pom.xml"))).getDocumentElement();
        Set<String> managed = new java.util.TreeSet<>();
        for (Element d : descendants(bom, "dependency")) {
            managed.add(text(d, "groupId") + ":" + text(d, "artifactId"));
        }
        return managed;
    }

    static Document parseXml(String xml) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
    }

    static List<Element> children(Element e) {
        List<Element> children = new ArrayList<>();
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c) {
                children.add(c);
            }
        }
        return children;
    }

    static List<Element> descendants(Element e, String tag) {
        NodeList nodes = e.getElementsByTagName(tag);
        List<Element> found = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            found.add((Element) nodes.item(i));
        }
        return found;
    }

    /** The text of {@code e}'s child element {@code tag}, or null. */
    static String text(Element e, String tag) {
        return children(e).stream().filter(c -> c.getTagName().equals(tag)).findFirst().map(c -> c.getTextContent().strip()).orElse(null);
    }

    /**
     * A zot configuration, or a part of one ({@code "portcullis": {…}}, {@code "http": {…}}), loads without warnings. The
     * files it names are there: {@code registry.policy} is docs/examples', the others are made up. An {@code env:VAR}
     * secret is read from a file instead, the same path in the configuration, since a test cannot set variables.
     */
    @Test
    void jsonBlocksParseAndConfigurationsLoad(@TempDir Path base) throws Exception {
        Files.copy(ROOT.resolve("docs/examples/registry.policy"), base.resolve("registry.policy"));
        SessionKeyRing.loadOrCreate(base.resolve("session-keys.json"));
        Files.writeString(base.resolve("keycloak-credentials.json"), "{\"clientid\": \"registry\", \"clientsecret\": \"from-the-file\"}");
        TestPki.create("Clients CA").writePem(base.resolve("clients-ca.pem"));
        Files.writeString(base.resolve("ldap-credentials.json"), "{\"bindDN\": \"cn=registry,dc=example,dc=org\", \"bindPassword\": \"s\"}");
        Map<String, Integer> kinds = new LinkedHashMap<>();
        for (Block b : blocks("json")) {
            String json = b.text().strip().startsWith("\"") ? "{" + b.text() + "}" : b.text();
            JsonNode root;
            try {
                root = STRICT_JSON.readTree(json);
            } catch (IOException e) {
                throw new AssertionError(b + " is not JSON: " + e.getMessage(), e);
            }
            assertThat(root.isObject()).as("%s: an object", b).isTrue();
            String kind;
            if (root.has("http") || root.has("portcullis")) {
                kind = "configuration";
                Matcher env = Pattern.compile("\"env:([A-Z_]+)\"").matcher(json);
                while (env.find()) {
                    Files.writeString(base.resolve(env.group(1) + ".env"), "value-of-" + env.group(1));
                }
                PortcullisConfig config = PortcullisConfig.parse(env.replaceAll("\"file:$1.env\""), base);
                assertThat(config.warnings()).as("%s: nothing in it is ignored", b).isEmpty();
            } else if (root.has("cases")) {
                kind = "case bundle";
                Path bundle = Files.writeString(base.resolve("cases-" + b.line() + ".json"), json);
                StringWriter out = new StringWriter();
                StringWriter err = new StringWriter();
                int code = PolicyCli.run(new String[] {"test", bundle.toString()}, new PrintWriter(out), new PrintWriter(err));
                assertThat(code).as("%s: %s%s", b, out, err).isZero();
                assertThat(out.toString()).as("%s", b).isEqualTo(root.get("cases").size() + " passed, 0 failed\n");
            } else if (root.has("repositories") || root.has("adminPolicy")) {
                kind = "accessControl";
                AccessPolicy.fromZotJson(json);
            } else {
                kind = "other JSON";
            }
            kinds.merge(kind, 1, Integer::sum);
        }
        assertThat(kinds).containsEntry("configuration", 5).containsEntry("accessControl", 1).containsEntry("case bundle", 1);
    }

    @Test
    void policyBlocksParseAndTheirTestsPass() throws IOException {
        List<Block> policies = blocks("policy");
        for (Block b : policies) {
            PolicyDocument doc = PolicyDocument.parse(b.text(), b.toString());
            for (PolicyCase c : doc.cases()) {
                assertThat(c.decide(doc.policy()).allowed()).as("%s: %s", b, c.describe()).isEqualTo(c.expectAllowed());
            }
        }
        assertThat(policies).as("the language guide's short and complete examples").hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    void propertiesBlocksAreProperties() throws IOException {
        for (Block b : blocks("properties")) {
            Properties properties = new Properties();
            properties.load(new StringReader(b.text()));
            assertThat(properties).as("%s: one property or more (spring-boot's DocumentedPropertiesTest checks their names)", b).isNotEmpty();
        }
    }

    /**
     * A {@code java -jar} command runs a jar that a module's shade plugin makes, and its arguments parse with that
     * jar's command line (the example registry's are parsed by {@code RegistryCommandsInDocsTest} in examples, which
     * this module cannot depend on).
     */
    @Test
    void shellCommandsRunJarsThisBuildMakesWithOptionsTheyAccept() throws Exception {
        Map<String, String> jars = runnableJars();
        assertThat(jars).containsKeys("policy-dsl/target/portcullis-policy.jar", "auth-core/target/portcullis-keys.jar",
                "examples/target/portcullis-registry.jar");
        int parsed = 0;
        for (Block b : blocks("sh")) {
            for (List<String> command : commands(b.text())) {
                assertThat(PROGRAMS).as("%s: %s runs a program this test does not know; add a check for it", b, command).contains(command.get(0));
                if (!command.get(0).equals("java")) {
                    continue;
                }
                assertThat(command).as("%s: java -jar JAR …", b).hasSizeGreaterThanOrEqualTo(3);
                assertThat(command.get(1)).as("%s", b).isEqualTo("-jar");
                String main = jars.get(command.get(2));
                assertThat(main).as("%s: %s is a jar this build makes (%s)", b, command.get(2), jars.keySet()).isNotNull();
                Class<?> cli;
                try {
                    cli = Class.forName(main);
                } catch (ClassNotFoundException e) {
                    assertThat(command.get(2)).as("%s: only the example registry's jar is parsed elsewhere", b)
                            .isEqualTo("examples/target/portcullis-registry.jar");
                    continue;
                }
                String[] args = command.subList(3, command.size()).toArray(String[]::new);
                try {
                    new CommandLine(cli).parseArgs(args);
                } catch (CommandLine.ParameterException e) {
                    throw new AssertionError(b + ": " + command + " does not parse: " + e.getMessage(), e);
                }
                parsed++;
            }
        }
        assertThat(parsed).as("the README's and the language guide's portcullis-policy commands").isGreaterThanOrEqualTo(3);
    }

    /** Each runnable jar a module's shade plugin makes ({@code MODULE/target/NAME.jar}) and its main class. */
    static Map<String, String> runnableJars() throws Exception {
        Map<String, String> jars = new TreeMap<>();
        for (String module : moduleArtifacts().keySet()) {
            String pom = Files.readString(ROOT.resolve(module).resolve("pom.xml"));
            Matcher name = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(pom);
            Matcher main = Pattern.compile("<mainClass>([^<]+)</mainClass>").matcher(pom);
            if (name.find() && main.find()) {
                jars.put(module + "/target/" + name.group(1) + ".jar", main.group(1));
            }
        }
        return jars;
    }

    /**
     * The commands of a shell block as words: continuation lines joined, quotes removed, comments dropped, split at
     * {@code &&}, {@code ||}, {@code |} and {@code ;}.
     */
    static List<List<String>> commands(String sh) {
        List<List<String>> commands = new ArrayList<>();
        for (String line : sh.replaceAll("\\\\\n\\s*", " ").lines().toList()) {
            List<String> words = new ArrayList<>();
            StringBuilder word = null;
            char quote = 0;
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (quote != 0) {
                    if (c == quote) {
                        quote = 0;
                    } else {
                        word.append(c);
                    }
                } else if (c == '\'' || c == '"') {
                    quote = c;
                    word = word == null ? new StringBuilder() : word;
                } else if (Character.isWhitespace(c)) {
                    if (word != null) {
                        words.add(word.toString());
                        word = null;
                    }
                } else if (c == '#' && word == null) {
                    break;
                } else if (c == '&' || c == '|' || c == ';') {
                    if (word != null) {
                        words.add(word.toString());
                        word = null;
                    }
                    if (!words.isEmpty()) {
                        commands.add(words);
                    }
                    words = new ArrayList<>();
                    if (i + 1 < line.length() && line.charAt(i + 1) == c) {
                        i++;
                    }
                } else {
                    word = word == null ? new StringBuilder().append(c) : word.append(c);
                }
            }
            if (word != null) {
                words.add(word.toString());
            }
            if (!words.isEmpty()) {
                commands.add(words);
            }
        }
        return commands;
    }
}
