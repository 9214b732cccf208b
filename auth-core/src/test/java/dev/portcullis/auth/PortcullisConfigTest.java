package dev.portcullis.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.policy.Action;
import dev.portcullis.policy.InvalidPolicyException;
import dev.portcullis.policy.Subject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PortcullisConfigTest {
    @TempDir
    Path dir;

    @Test
    void aZotConfigLoadsAsIsAndTheRestIsIgnoredWithWarnings() throws Exception {
        Files.writeString(dir.resolve("htpasswd"), "");
        PortcullisConfig c = PortcullisConfig.parse("""
                {"distSpecVersion": "1.1.0", "storage": {"rootDirectory": "/tmp/zot"}, "log": {"level": "debug"},
                 "http": {"address": "0.0.0.0", "port": "8080", "realm": "zot", "externalUrl": "https://registry.example.com",
                          "auth": {"htpasswd": {"path": "htpasswd"}, "apikey": true, "failDelay": 2, "lockout": 1},
                          "accessControl": {"repositories": {"**": {"anonymousPolicy": ["read"]}}}},
                 "telemetry": {}}
                """, dir);
        assertThat(c.realm()).isEqualTo("zot");
        assertThat(c.externalUrl()).isEqualTo("https://registry.example.com");
        assertThat(c.keyStore()).isEqualTo(dir.resolve("data/keys.db").toString());
        assertThat(c.policy().decide(Subject.anonymous(), "x", Action.READ).allowed()).isTrue();
        assertThat(c.warnings()).containsExactly("unknown top-level field 'telemetry' is ignored", "unknown field http.auth.lockout is ignored");
        try (Portcullis p = c.build()) {
            assertThat(p.policy()).isSameAs(c.policy());
        }
        assertThat(dir.resolve("data/keys.db")).exists();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            {"http": {"auth": {"ldap": {"address": "ldap.example.com"}}}}         | http.auth.ldap: LDAP authentication is not supported by Portcullis yet; remove http.auth.ldap or run zot's own authentication for it
            {"http": {"auth": {"openid": {"providers": {}}}}}                      | http.auth.openid: OIDC login (it arrives with the OIDC work) is not supported by Portcullis yet; remove http.auth.openid or run zot's own authentication for it
            {"http": {"auth": {"bearer": {"realm": "x", "cert": "c"}}}}            | http.auth.bearer: bearer token authentication is not supported by Portcullis yet; remove http.auth.bearer or run zot's own authentication for it
            {"http": {"tls": {"cert": "c", "key": "k", "cacert": "ca"}}}           | http.tls.cacert: mutual TLS (client certificates) is not supported by Portcullis yet; remove http.tls.cacert or run zot's own authentication for it
            {"http": {"auth": {"failDelay": "soon"}}}                              | http.auth.failDelay must be a non-negative whole number
            {"http": {"accessControl": {}}, "portcullis": {"policyFile": "p.policy"}} | both http.accessControl and portcullis.policyFile are given; keep one policy
            {"portcullis": {"apiKeys": {"overlong": "maybe"}}}                    | portcullis.apiKeys.overlong must be "clamp" or "refuse"
            """)
    void unsupportedFeaturesAndBadValuesStopTheStart(String json, String message) {
        assertThatThrownBy(() -> PortcullisConfig.parse(json, dir)).isInstanceOf(InvalidPolicyException.class).hasMessage(message);
    }

    @Test
    void secretsComeFromFilesOrTheEnvironmentAndAPolicyFileReplacesAccessControl() throws Exception {
        Files.writeString(dir.resolve("store-url"), "jdbc:sqlite:" + dir.resolve("secret.db") + "\n");
        Files.writeString(dir.resolve("registry.policy"), "repo \"**\" {\n  authenticated: read\n}\n");
        PortcullisConfig c = PortcullisConfig.parse("""
                {"http": {"auth": {"apikey": true}}, "portcullis": {"keyStore": "file:store-url", "policyFile": "registry.policy"}}
                """, dir);
        assertThat(c.keyStore()).isEqualTo("jdbc:sqlite:" + dir.resolve("secret.db"));
        assertThat(c.policy().decide(Subject.user("u"), "x", Action.READ).allowed()).isTrue();
        assertThatThrownBy(() -> PortcullisConfig.parse("{\"portcullis\": {\"keyStore\": \"env:PORTCULLIS_TEST_UNSET_VARIABLE\"}}", dir))
                .hasMessage("portcullis.keyStore: environment variable PORTCULLIS_TEST_UNSET_VARIABLE is not set");
    }

    @Test
    void noAuthenticationAndNoAccessControlLetsEveryoneThroughLikeZot() {
        PortcullisConfig c = PortcullisConfig.parse("{\"http\": {\"address\": \"127.0.0.1\"}}", dir);
        assertThat(c.policy().decide(Subject.anonymous(), "x", Action.DELETE).allowed()).isTrue();
        assertThat(c.policy().decideMetrics(Subject.anonymous()).allowed()).isTrue();
        assertThat(c.warnings()).contains("no authentication and no accessControl are configured: everyone may do everything, as in zot");
        PortcullisConfig withAuth = PortcullisConfig.parse("{\"http\": {\"auth\": {\"apikey\": true}}}", dir);
        assertThat(withAuth.policy().decide(Subject.anonymous(), "x", Action.READ).allowed()).isFalse();
        assertThat(withAuth.policy().decide(Subject.user("u"), "x", Action.DELETE).allowed()).isTrue();
    }

    @Test
    void aMissingFileIsNamed() {
        assertThatThrownBy(() -> PortcullisConfig.load(dir.resolve("nope.json"))).hasMessageStartingWith(dir.resolve("nope.json")
                + ": cannot read the configuration");
    }
}
