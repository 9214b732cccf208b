package dev.portcullis.auth.ldap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.auth.Identity;
import dev.portcullis.auth.Outcome;
import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.PortcullisConfig;
import dev.portcullis.auth.TestRequest;
import dev.portcullis.policy.AccessPolicy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LDAP users through the pipeline: groups from the directory feed the policy, binds are remembered, an outage is 503. */
class LdapLoginTest {
    @TempDir
    static Path dir;
    static TestDirectory server;
    static final AccessPolicy POLICY = AccessPolicy.fromZotJson("""
            {"http": {"accessControl": {"repositories": {"team/**": {
              "policies": [{"groups": ["cn=devs,ou=Groups,dc=example,dc=org"], "actions": ["read", "create", "update"]}],
              "defaultPolicy": ["read"]}}}}}
            """);

    @BeforeAll
    static void start() throws Exception {
        server = new TestDirectory(dir);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String basic(String user, String password) {
        return "Authorization: Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theDirectorysGroupsFeedThePolicyAndAnEventLoopIsAnsweredFromMemoryOnceBound() {
        LdapDirectory ldap = server.plain().build();
        try (Portcullis p = Portcullis.builder().policy(POLICY).ldap(ldap).closeWith(ldap).build()) {
            TestRequest push = TestRequest.of("PUT", "/v2/team/app/manifests/1", basic("alice", "alice-password"));
            assertThat(p.handleWithoutBlocking(push)).as("the first bind blocks").isEmpty();
            Outcome o = p.handle(push);
            assertThat(o).isInstanceOf(Outcome.Proceed.class);
            Identity alice = ((Outcome.Proceed) o).identity();
            assertThat(alice.method()).isEqualTo(Identity.AuthMethod.LDAP);
            assertThat(alice.groups()).contains("cn=devs,ou=Groups,dc=example,dc=org");
            assertThat(p.handleWithoutBlocking(push)).as("then from memory, on the event loop").get().isInstanceOf(Outcome.Proceed.class);
            assertThat(((Outcome.Respond) p.handle(TestRequest.of("PUT", "/v2/team/app/manifests/1", basic("bob", "bob-password"))))
                    .status()).as("bob is in no group").isEqualTo(403);
            assertThat(((Outcome.Respond) p.handle(TestRequest.of("GET", "/v2/team/app/manifests/1", basic("bob", "wrong")))).status())
                    .isEqualTo(401);
            assertThat(p.summary()).contains("LDAP 127.0.0.1:" + server.plainPort() + " under " + TestDirectory.BASE);
        }
    }

    @Test
    void aDirectoryThatIsDownGets503NeverAccessNorAnonymous() throws Exception {
        LdapDirectory ldap = server.plain().build();
        try (Portcullis p = Portcullis.builder().policy(AccessPolicy.parse("repo \"**\" {\n  anonymous: read\n  authenticated: read, create, update\n}\n"))
                .ldap(ldap).closeWith(ldap).build()) {
            server.down();
            try {
                Outcome o = p.handle(TestRequest.of("PUT", "/v2/team/app/manifests/1", basic("alice", "alice-password")));
                assertThat(((Outcome.Respond) o).status()).isEqualTo(503);
                Outcome read = p.handle(TestRequest.of("GET", "/v2/team/app/manifests/1", basic("alice", "alice-password")));
                assertThat(((Outcome.Respond) read).status()).as("not let in as anonymous either").isEqualTo(503);
            } finally {
                server.up();
            }
        }
    }

    @Test
    void zotsLdapConfigurationLoads() throws Exception {
        Files.writeString(dir.resolve("ldap-credentials.json"), "{\"bindDN\": \"" + TestDirectory.SERVICE_DN + "\", \"bindPassword\": \""
                + TestDirectory.SERVICE_PASSWORD + "\"}");
        Files.writeString(dir.resolve("config.json"), """
                {"http": {"auth": {"ldap": {"credentialsFile": "ldap-credentials.json", "address": "127.0.0.1", "port": %d,
                                            "insecure": true, "baseDN": "%s", "userAttribute": "uid",
                                            "userGroupAttribute": "memberOf", "userFilter": "(!(nsaccountlock=TRUE))"}},
                          "accessControl": {"repositories": {"**": {"policies": [{"groups": ["cn=devs,ou=Groups,dc=example,dc=org"],
                                                                              "actions": ["read", "create", "update"]}]}}}},
                 "portcullis": {"ldap": {"cacheSeconds": 30, "timeoutMillis": 2000}}}
                """.formatted(server.plainPort(), TestDirectory.BASE));
        Files.writeString(dir.resolve("no-credentials.json"), Files.readString(dir.resolve("config.json"))
                .replace("ldap-credentials.json", "missing.json"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PortcullisConfig.load(dir.resolve("no-credentials.json")))
                .hasMessageContaining("http.auth.ldap.credentialsFile " + dir.resolve("missing.json") + " does not exist; write"
                        + " {\"bindDN\": \"…\", \"bindPassword\": \"…\"} there");
        PortcullisConfig config = PortcullisConfig.load(dir.resolve("config.json"));
        assertThat(config.warnings()).isEmpty();
        try (Portcullis p = config.build()) {
            assertThat(p.handle(TestRequest.of("PUT", "/v2/team/app/manifests/1", basic("alice", "alice-password"))))
                    .isInstanceOf(Outcome.Proceed.class);
            assertThat(((Outcome.Respond) p.handle(TestRequest.of("GET", "/v2/team/app/manifests/1", basic("carol", "carol-password"))))
                    .status()).as("the user filter refuses the locked account").isEqualTo(401);
        }
    }
}
