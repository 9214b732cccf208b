package dev.portcullis.auth.cli;

import dev.portcullis.auth.PortcullisConfig;
import dev.portcullis.auth.Secrets;
import dev.portcullis.auth.apikey.ApiKey;
import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.apikey.ApiKeyStoreException;
import dev.portcullis.auth.apikey.JdbcApiKeyStore;
import dev.portcullis.auth.apikey.Scope;
import dev.portcullis.policy.InvalidPolicyException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code portcullis-keys}: create, list and revoke API keys in a key store, for operators and
 * for bootstrapping CI. Exit 0 on success; otherwise non-zero with a one-line reason on stderr.
 * Given the registry's configuration ({@code --config config.json}), it uses the configuration's key store and its
 * {@code portcullis.apiKeys} settings, so that {@code create} mints keys as the registry's key endpoints do: with its
 * prefix, and no longer-lived than its {@code maxLifetimeDays}.
 *
 * <pre>{@code
 * portcullis-keys create --config /etc/registry/config.json --user ci --groups artifact-workloads --expires 2027-01-31T00:00:00Z
 * }</pre>
 */
@Command(name = "portcullis-keys", mixinStandardHelpOptions = true, version = "portcullis-keys 0.1.0",
        description = "Create, list and revoke Portcullis API keys.",
        subcommands = {KeysCli.Create.class, KeysCli.ListKeys.class, KeysCli.Revoke.class, KeysCli.RevokeAll.class})
public final class KeysCli implements Runnable {
    @Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * Runs the command line and exits the JVM with its exit code.
     *
     * @param args the command and its options, e.g. {@code create --store data/keys.db --user ci}
     */
    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true, StandardCharsets.UTF_8), new PrintWriter(System.err, true, StandardCharsets.UTF_8)));
    }

    /**
     * Runs the command line with the given streams and returns the exit code.
     *
     * @param args the command and its options
     * @param out where results go, e.g. a new token; flushed before returning
     * @param err where errors and usage messages go; flushed before returning
     * @return 0 on success; 1 when the command fails (a bad argument such as an expiry beyond the configuration's
     *     maximum key lifetime, an unreadable configuration, an unavailable store, a key not there to revoke); 2 for a
     *     usage error
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new KeysCli());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof IllegalArgumentException || e instanceof ApiKeyStoreException || e instanceof InvalidPolicyException) {
                commandLine.getErr().println("error: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command: create, list, revoke or revoke-all");
    }

    /** The options every command shares: the key store, and the configuration whose key settings apply. */
    static class StoreOption {
        @Option(names = "--store", paramLabel = "STORE",
                description = "a JDBC URL (jdbc:sqlite:FILE, jdbc:postgresql://HOST/DB?user=…) or a SQLite file path; env:VAR or"
                        + " file:PATH to keep a password out of the command line; default: the --config file's key store")
        @Nullable String store;

        @Option(names = "--config", paramLabel = "FILE",
                description = "the registry's config.json: its key store (unless --store names one) and its portcullis.apiKeys"
                        + " settings (prefix, maxLifetimeDays, overlong)")
        @Nullable Path config;

        /** The configuration, read now; null without {@code --config}. */
        @Nullable PortcullisConfig configuration() {
            return config == null ? null : PortcullisConfig.load(config);
        }

        JdbcApiKeyStore open(CommandLine.Model.CommandSpec spec, @Nullable PortcullisConfig configuration) {
            if (store != null) {
                return JdbcApiKeyStore.open(Secrets.resolve(store, "--store", Path.of("")));
            }
            if (configuration != null) {
                return JdbcApiKeyStore.open(configuration.keyStore());
            }
            throw new CommandLine.ParameterException(spec.commandLine(), "name the key store: --store STORE, or --config FILE"
                    + " (the registry's config.json, whose key store and key settings then apply)");
        }

        JdbcApiKeyStore open(CommandLine.Model.CommandSpec spec) {
            return open(spec, configuration());
        }
    }

    @Command(name = "create", description = "Create a key; the token is printed once, alone on the last line.")
    static final class Create implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;
        @CommandLine.Mixin
        StoreOption store = new StoreOption();

        @Option(names = "--user", required = true, paramLabel = "USER", description = "the key's owner")
        String user;

        @Option(names = "--groups", split = ",", paramLabel = "GROUP", description = "the owner's groups, comma-separated")
        List<String> groups = new ArrayList<>();

        @Option(names = "--label", paramLabel = "LABEL", description = "what the key is for")
        String label = "";

        @Option(names = "--expires", paramLabel = "TIME", description = "expiry, RFC 3339 (2027-01-31T00:00:00Z); with --config"
                + " at most its maxLifetimeDays from now, and that maximum when left out (refused instead under \"overlong\": \"refuse\")")
        @Nullable String expires;

        @Option(names = "--scope", paramLabel = "PATTERN:ACTIONS", description = "restrict the key, e.g. 'team/**:read,create' (repeatable)")
        List<String> scopes = new ArrayList<>();

        @Override
        public Integer call() {
            Instant expiresAt = null;
            if (expires != null) {
                try {
                    expiresAt = Instant.parse(expires);
                } catch (DateTimeParseException e) {
                    throw new IllegalArgumentException("--expires '" + expires + "' is not an RFC 3339 time such as 2027-01-31T00:00:00Z");
                }
            }
            List<Scope> parsedScopes = Scope.parseAll(scopes);
            PortcullisConfig configuration = store.configuration();
            try (JdbcApiKeyStore s = store.open(spec, configuration);
                 ApiKeyService keys = (configuration == null ? ApiKeyService.builder(s) : configuration.apiKeyService(s)).build()) {
                Optional<Duration> max = keys.maxLifetime();
                // the key endpoints clamp or refuse as "overlong" says; an expiry typed here is refused, never silently shortened
                Instant limit = max.map(m -> Instant.now().plus(m).truncatedTo(ChronoUnit.SECONDS)).orElse(null);
                if (limit != null && expiresAt != null && expiresAt.isAfter(limit)) {
                    throw new IllegalArgumentException("--expires " + expires + " is beyond the maximum key lifetime of "
                            + lifetime(max.get()) + " (portcullis.apiKeys.maxLifetimeDays in " + store.config + "); give a time no later than "
                            + limit);
                }
                ApiKeyService.KeyRequest request = new ApiKeyService.KeyRequest(user, groups, label, parsedScopes, expiresAt,
                        "portcullis-keys");
                ApiKeyService.CreatedKey created;
                try {
                    created = keys.create(request);
                } catch (IllegalArgumentException e) {
                    if (limit != null && expiresAt == null && keys.refusesOverlongKeys()) {
                        throw new IllegalArgumentException("no --expires given, and " + store.config + " refuses keys that outlive its"
                                + " maximum key lifetime of " + lifetime(max.get()) + " (portcullis.apiKeys.overlong \"refuse\"); give --expires"
                                + " no later than " + limit, e);
                    }
                    throw e;
                }
                PrintWriter out = spec.commandLine().getOut();
                out.println("created key " + created.key().id() + " for " + user
                        + (created.key().expiresAt() == null ? ", no expiry" : ", expires " + created.key().expiresAt())
                        + (expiresAt == null && created.key().expiresAt() != null ? " (the maximum key lifetime, " + lifetime(max.get()) + ")" : "")
                        + (parsedScopes.isEmpty() ? "" : ", scopes " + parsedScopes));
                out.println("the token below is shown only now; store it as a secret:");
                out.println(created.token());
            }
            return 0;
        }

        /** The configuration gives whole days; say them so. */
        private static String lifetime(Duration d) {
            return d.toSeconds() % 86_400 == 0 ? d.toDays() + (d.toDays() == 1 ? " day" : " days") : d.toString();
        }
    }

    @Command(name = "list", description = "List a user's keys (never secrets or hashes).")
    static final class ListKeys implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;
        @CommandLine.Mixin
        StoreOption store = new StoreOption();

        @Option(names = "--user", required = true, paramLabel = "USER")
        String user;

        @Override
        public Integer call() {
            try (JdbcApiKeyStore s = store.open(spec)) {
                PrintWriter out = spec.commandLine().getOut();
                List<ApiKey> keys = s.listByOwner(user);
                if (keys.isEmpty()) {
                    out.println("no keys for " + user);
                }
                out.printf("%-11s  %-20s  %-24s  %-24s  %-24s  %-24s  %s%n", "ID", "LABEL", "SCOPES", "CREATED", "EXPIRES", "LAST USED", "REVOKED");
                for (ApiKey k : keys) {
                    out.printf("%-11s  %-20s  %-24s  %-24s  %-24s  %-24s  %s%n", k.id(), k.label().isEmpty() ? "-" : k.label(),
                            k.scopes().isEmpty() ? "(all of the owner's)" : k.scopes().toString(), k.createdAt(),
                            k.expiresAt() == null ? "never" : k.expiresAt(), k.lastUsed() == null ? "never" : k.lastUsed(),
                            k.revoked() ? "yes" : "no");
                }
            }
            return 0;
        }
    }

    @Command(name = "revoke", description = "Revoke one key by its id (the part of the token after the prefix).")
    static final class Revoke implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;
        @CommandLine.Mixin
        StoreOption store = new StoreOption();

        @Parameters(paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            try (JdbcApiKeyStore s = store.open(spec)) {
                if (s.revoke(id)) {
                    spec.commandLine().getOut().println("revoked key " + id);
                    return 0;
                }
                boolean exists = s.find(id).isPresent();
                spec.commandLine().getErr().println("error: " + (exists ? "key " + id + " was already revoked" : "no key with id " + id));
                return 1;
            }
        }
    }

    @Command(name = "revoke-all", description = "Revoke every key of a user.")
    static final class RevokeAll implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;
        @CommandLine.Mixin
        StoreOption store = new StoreOption();

        @Option(names = "--user", required = true, paramLabel = "USER")
        String user;

        @Override
        public Integer call() {
            try (JdbcApiKeyStore s = store.open(spec)) {
                spec.commandLine().getOut().println("revoked " + s.revokeAll(user) + " key(s) of " + user);
            }
            return 0;
        }
    }
}
