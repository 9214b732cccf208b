package dev.portcullis.auth.cli;

import dev.portcullis.auth.Secrets;
import dev.portcullis.auth.apikey.ApiKey;
import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.apikey.ApiKeyStoreException;
import dev.portcullis.auth.apikey.JdbcApiKeyStore;
import dev.portcullis.auth.apikey.Scope;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code portcullis-keys}: create, list and revoke API keys in a key store, for operators and
 * for bootstrapping CI. Exit 0 on success; otherwise non-zero with a one-line reason on stderr.
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
     * @return 0 on success; 1 when the command fails (a bad argument, an unavailable store, a key not there to
     *     revoke); 2 for a usage error
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new KeysCli());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof IllegalArgumentException || e instanceof ApiKeyStoreException) {
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

    /** The {@code --store} option every command shares. */
    static class StoreOption {
        @Option(names = "--store", required = true, paramLabel = "STORE",
                description = "a JDBC URL (jdbc:sqlite:FILE, jdbc:postgresql://HOST/DB?user=…) or a SQLite file path; env:VAR or"
                        + " file:PATH to keep a password out of the command line")
        String store;

        JdbcApiKeyStore open() {
            return JdbcApiKeyStore.open(Secrets.resolve(store, "--store", Path.of("")));
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

        @Option(names = "--expires", paramLabel = "TIME", description = "expiry, RFC 3339 (2027-01-31T00:00:00Z)")
        String expires;

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
            try (JdbcApiKeyStore s = store.open(); ApiKeyService keys = ApiKeyService.builder(s).build()) {
                ApiKeyService.CreatedKey created = keys.create(new ApiKeyService.KeyRequest(user, groups, label, parsedScopes, expiresAt,
                        "portcullis-keys"));
                PrintWriter out = spec.commandLine().getOut();
                out.println("created key " + created.key().id() + " for " + user
                        + (created.key().expiresAt() == null ? ", no expiry" : ", expires " + created.key().expiresAt())
                        + (parsedScopes.isEmpty() ? "" : ", scopes " + parsedScopes));
                out.println("the token below is shown only now; store it as a secret:");
                out.println(created.token());
            }
            return 0;
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
            try (JdbcApiKeyStore s = store.open()) {
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
            try (JdbcApiKeyStore s = store.open()) {
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
            try (JdbcApiKeyStore s = store.open()) {
                spec.commandLine().getOut().println("revoked " + s.revokeAll(user) + " key(s) of " + user);
            }
            return 0;
        }
    }
}
