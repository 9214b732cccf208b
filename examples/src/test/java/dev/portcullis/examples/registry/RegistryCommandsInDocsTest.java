package dev.portcullis.examples.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.auth.cli.KeysCli;
import dev.portcullis.policy.cli.PolicyCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every {@code java -jar examples/target/portcullis-registry.jar …} line of a shell block in the README and docs/ names a
 * command of the registry jar with options it accepts: parsed by that command's own picocli model, never run
 * (auth-conformance's ReadmeExamplesTest checks the other jars' commands, and that this jar is the one the build makes).
 */
class RegistryCommandsInDocsTest {
    private static final String JAR = "examples/target/portcullis-registry.jar";
    private static final Pattern SH = Pattern.compile("^\\s*```sh\\n(.*?)^\\s*```", Pattern.DOTALL | Pattern.MULTILINE);
    private static final Pattern COMMAND = Pattern.compile("java -jar " + Pattern.quote(JAR) + "((?: +(?:'[^']*'|\"[^\"]*\"|[^\\s#&|;'\"]+))*)");
    private static final Pattern WORD = Pattern.compile("'([^']*)'|\"([^\"]*)\"|([^\\s]+)");

    /** The arguments of every documented registry command, quotes removed. */
    static List<List<String>> documentedCommands() throws Exception {
        List<Path> documents = new ArrayList<>(List.of(Path.of("..", "README.md")));
        try (Stream<Path> docs = Files.list(Path.of("..", "docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted()
                    .forEach(documents::add);
        }
        List<List<String>> commands = new ArrayList<>();
        for (Path document : documents) {
            Matcher block = SH.matcher(Files.readString(document));
            while (block.find()) {
                Matcher command = COMMAND.matcher(block.group(1).replaceAll("\\\\\\n\\s*", " "));
                while (command.find()) {
                    List<String> args = new ArrayList<>();
                    Matcher word = WORD.matcher(command.group(1));
                    while (word.find()) {
                        args.add(word.group(1) != null ? word.group(1) : word.group(2) != null ? word.group(2) : word.group(3));
                    }
                    commands.add(args);
                }
            }
        }
        return commands;
    }

    @Test
    void everyDocumentedCommandParses() throws Exception {
        List<List<String>> commands = documentedCommands();
        for (List<String> command : commands) {
            String[] args = command.toArray(String[]::new);
            try {
                if (args.length > 0 && args[0].equals("keys")) {
                    String[] keys = RegistryCli.keysArguments(Arrays.copyOfRange(args, 1, args.length));
                    new CommandLine(new KeysCli()).parseArgs(keys);
                } else if (args.length > 0 && args[0].equals("policy")) {
                    new CommandLine(new PolicyCli()).parseArgs(Arrays.copyOfRange(args, 1, args.length));
                } else {
                    String[] serve = args.length > 0 && args[0].equals("serve") ? Arrays.copyOfRange(args, 1, args.length) : args;
                    new CommandLine(new RegistryCli.Serve(new PrintWriter(new StringWriter()))).parseArgs(serve);
                }
            } catch (CommandLine.ParameterException e) {
                throw new AssertionError("java -jar " + JAR + " " + String.join(" ", command) + " does not parse: " + e.getMessage(), e);
            }
        }
        assertThat(commands).as("the README's start and key, the Maven page's serve and key")
                .contains(List.of(), List.of("keys", "create", "--user", "ci", "--groups", "artifact-workloads", "--label", "ci"),
                        List.of("serve", "--store", "maven", "--data", "maven-data"));
    }
}
