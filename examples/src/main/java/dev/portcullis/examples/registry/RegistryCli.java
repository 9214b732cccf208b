package dev.portcullis.examples.registry;

import dev.portcullis.auth.cli.KeysCli;
import dev.portcullis.policy.cli.PolicyCli;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar portcullis-registry.jar [serve|keys|policy] …}: runs the example registry
 * (the default), manages its API keys (the options of {@code portcullis-keys}, with {@code --data}
 * or {@code --config} choosing the registry's own key store), or runs the policy command line.
 */
public final class RegistryCli {
    private RegistryCli() {
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        System.exit(run(args, out, err));
    }

    /** Runs a command; {@code serve} blocks until the process is stopped. Returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help"))) {
            out.println("""
                    Usage: java -jar portcullis-registry.jar [COMMAND] [OPTIONS]
                      serve   run the registry (the default command), or Maven repositories with --store maven;
                              serve --help for its options
                      keys    create|list|revoke|revoke-all API keys in the registry's key store
                              (the options of portcullis-keys; --data DIR or --config FILE picks the store)
                      policy  test|explain|lint|who-can|diff|fmt|convert policies (the portcullis-policy command line)""");
            return 0;
        }
        if (args.length > 0 && args[0].equals("keys")) {
            try {
                return KeysCli.run(keysArguments(Arrays.copyOfRange(args, 1, args.length)), out, err);
            } catch (IllegalArgumentException | java.io.IOException e) {
                err.println(e.getMessage());
                return 2;
            }
        }
        if (args.length > 0 && args[0].equals("policy")) {
            return PolicyCli.run(Arrays.copyOfRange(args, 1, args.length), out, err);
        }
        String[] serveArgs = args.length > 0 && args[0].equals("serve") ? Arrays.copyOfRange(args, 1, args.length) : args;
        return new CommandLine(new Serve(out)).setOut(out).setErr(err).execute(serveArgs);
    }

    /**
     * The {@code portcullis-keys} arguments, with {@code --data}/{@code --config} turned into the registry's
     * {@code --store}; a {@code --config} is passed on too, so that its key settings hold.
     */
    static String[] keysArguments(String[] args) throws java.io.IOException {
        List<String> rest = new ArrayList<>();
        Path data = null;
        Path config = null;
        boolean store = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if ((a.equals("--data") || a.equals("--config")) && i + 1 < args.length) {
                Path p = Path.of(args[++i]);
                if (a.equals("--data")) {
                    data = p;
                } else {
                    config = p;
                }
            } else if (a.startsWith("--data=")) {
                data = Path.of(a.substring(7));
            } else if (a.startsWith("--config=")) {
                config = Path.of(a.substring(9));
            } else {
                store |= a.equals("--store") || a.startsWith("--store=");
                rest.add(a);
            }
        }
        boolean help = rest.contains("--help") || rest.contains("-h") || rest.isEmpty();
        if (!store && !help && rest.size() >= 1) {
            String keyStore = RegistryServer.loadConfig(new RegistryServer.Options(RegistryServer.Kind.JETTY, config,
                    data != null ? data : config == null ? Path.of("data") : null, 0, "127.0.0.1", null)).keyStore();
            rest.add(1, "--store");
            rest.add(2, keyStore);
        }
        if (config != null && !help && rest.size() >= 1) {
            // its portcullis.apiKeys settings (prefix, maxLifetimeDays) hold for keys made here too
            rest.add(1, "--config");
            rest.add(2, config.toString());
        }
        return rest.toArray(String[]::new);
    }

    @Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the example OCI registry (or Maven repositories) with Portcullis in front.")
    static final class Serve implements Callable<Integer> {
        private final PrintWriter out;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--server", paramLabel = "jetty|netty", description = "the HTTP server (default: ${DEFAULT-VALUE})", defaultValue = "jetty")
        String server;

        @Option(names = "--store", paramLabel = "oci|maven", defaultValue = "oci",
                description = "what to serve: the OCI registry at /v2/, or Maven repositories at /maven/<id>/ (default: ${DEFAULT-VALUE})")
        String store;

        @Option(names = "--config", paramLabel = "FILE", description = "a zot-compatible config.json (default: the bundled"
                + " examples/config/registry.json, or examples/config/maven.json for --store maven)")
        Path config;

        @Option(names = "--data", paramLabel = "DIR", description = "the data directory (default: ./data for the bundled config, else the config's)")
        Path data;

        @Option(names = "--port", paramLabel = "N", defaultValue = "5000", description = "the port (default: ${DEFAULT-VALUE}; 0 picks a free one)")
        int port;

        @Option(names = "--address", paramLabel = "A", defaultValue = "127.0.0.1", description = "the address to listen on (default: ${DEFAULT-VALUE})")
        String address;

        @Option(names = "--oidc-issuer", paramLabel = "URL", description = "log people in through this OpenID Provider (as provider 'oidc')")
        String oidcIssuer;

        @Option(names = "--oidc-client-id", paramLabel = "ID", description = "the client id registered at the provider")
        String oidcClientId;

        @Option(names = "--oidc-client-secret", paramLabel = "SECRET", description = "the client secret; env:VAR or file:PATH keep it off the command line")
        String oidcClientSecret;

        @Option(names = "--external-url", paramLabel = "URL", description = "how users reach the registry (default: http://ADDRESS:PORT); "
                + "register URL/auth/callback/oidc at the provider")
        String externalUrl;

        Serve(PrintWriter out) {
            this.out = out;
        }

        @Override
        public Integer call() throws Exception {
            RegistryServer.Kind kind = switch (server) {
                case "jetty" -> RegistryServer.Kind.JETTY;
                case "netty" -> RegistryServer.Kind.NETTY;
                default -> throw new CommandLine.ParameterException(spec.commandLine(), "--server must be jetty or netty, not '" + server + "'");
            };
            RegistryServer.Store what = switch (store) {
                case "oci" -> RegistryServer.Store.OCI;
                case "maven" -> RegistryServer.Store.MAVEN;
                default -> throw new CommandLine.ParameterException(spec.commandLine(), "--store must be oci or maven, not '" + store + "'");
            };
            RegistryServer.Oidc oidc = null;
            if (oidcIssuer != null) {
                if (oidcClientId == null || oidcClientSecret == null) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--oidc-issuer needs --oidc-client-id and --oidc-client-secret");
                }
                String external = externalUrl != null ? externalUrl : "http://" + address + ":" + port;
                oidc = new RegistryServer.Oidc(oidcIssuer, oidcClientId, oidcClientSecret, external);
            }
            RegistryServer registry = RegistryServer.start(new RegistryServer.Options(kind, config, data, port, address, oidc, what));
            registry.startupLines().forEach(out::println);
            out.flush();
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                registry.close();
                stopped.countDown();
            }, "registry-shutdown"));
            stopped.await();
            return 0;
        }
    }
}
