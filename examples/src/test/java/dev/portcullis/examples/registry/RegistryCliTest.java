package dev.portcullis.examples.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry jar's commands: keys in the registry's own store, the policy command line, serve's options. */
class RegistryCliTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = RegistryCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void keysGoToTheRegistrysOwnStoreChosenByDataDirectory() {
        Path data = dir.resolve("data");
        Run created = run("keys", "create", "--data", data.toString(), "--user", "ci", "--groups", "artifact-workloads", "--label", "ci");
        assertThat(created.code()).as(created.err()).isZero();
        String token = created.out().strip().lines().reduce((a, b) -> b).orElseThrow();
        assertThat(token).startsWith("pck_");
        assertThat(data.resolve("keys.db")).exists();
        Run listed = run("keys", "list", "--data", data.toString(), "--user", "ci");
        assertThat(listed.code()).isZero();
        assertThat(listed.out()).contains(token.substring(4, 15)).doesNotContain(token);
        Run revoked = run("keys", "revoke", "--data=" + data, token.substring(4, 15));
        assertThat(revoked.code()).as(revoked.err()).isZero();
    }

    @Test
    void keysMadeWithTheRegistrysConfigurationKeepToItsMaximumLifetime() throws Exception {
        Path config = java.nio.file.Files.writeString(dir.resolve("config.json"), """
                {"http": {"auth": {"apikey": true}, "accessControl": {"repositories": {"**": {"anonymousPolicy": ["read"]}}}},
                 "portcullis": {"apiKeys": {"maxLifetimeDays": 30}}}
                """);
        Run beyond = run("keys", "create", "--config", config.toString(), "--user", "ci", "--expires", "2099-01-01T00:00:00Z");
        assertThat(beyond.code()).isEqualTo(1);
        assertThat(beyond.err()).contains("beyond the maximum key lifetime of 30 days");
        Run clamped = run("keys", "create", "--config", config.toString(), "--user", "ci");
        assertThat(clamped.code()).as(clamped.err()).isZero();
        assertThat(clamped.out()).contains("(the maximum key lifetime, 30 days)");
        assertThat(dir.resolve("data").resolve("keys.db")).as("the configuration's own store").exists();
    }

    @Test
    void theOidcExampleConfigurationLoadsAndNamesItsSecret() throws Exception {
        Path config = Path.of("config", "registry-oidc.json");
        // the client secret comes from the environment; without it the start fails, naming the variable
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RegistryServer.loadConfig(
                        new RegistryServer.Options(RegistryServer.Kind.JETTY, config, dir, 0, "127.0.0.1", null)))
                .hasMessageContaining("PORTCULLIS_OIDC_CLIENT_SECRET");
    }

    @Test
    void thePolicyCommandLineAndTheHelpAreThere() {
        Run help = run("--help");
        assertThat(help.out()).contains("serve", "keys", "policy");
        Run serveHelp = run("serve", "--help");
        assertThat(serveHelp.out()).contains("--server", "--config", "--data", "--port", "--address", "--oidc-issuer");
        Run bad = run("serve", "--server", "tomcat");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("--server must be jetty or netty");
        Run policy = run("policy", "test", Path.of("..", "docs", "examples", "registry.policy").toString());
        assertThat(policy.code()).as(policy.err()).isZero();
        assertThat(policy.out()).contains("passed, 0 failed");
    }
}
