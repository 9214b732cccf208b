package dev.portcullis.auth.ldap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** zot's LDAP login against a real LDAP server (UnboundID's in-memory directory over TCP), with what Portcullis adds. */
class LdapDirectoryTest {
    @TempDir
    static Path dir;
    static TestDirectory server;

    @BeforeAll
    static void start() throws Exception {
        server = new TestDirectory(dir);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void count() {
        server.userBinds.set(0);
        server.filters.clear();
    }

    @Test
    void aUsersPasswordBindsAndTheGroupAttributeGivesTheGroups() {
        try (LdapDirectory ldap = server.plain().build()) {
            assertThat(ldap.authenticate("alice", "alice-password")).isEqualTo(new LdapDirectory.Result.Success("alice",
                    List.of("cn=devs,ou=Groups,dc=example,dc=org", "cn=ops,ou=Groups,dc=example,dc=org")));
            assertThat(ldap.authenticate("bob", "bob-password")).isEqualTo(new LdapDirectory.Result.Success("bob", List.of()));
            assertThat(ldap.authenticate("alice", "wrong")).isInstanceOf(LdapDirectory.Result.Refused.class);
            assertThat(ldap.authenticate("nobody", "x")).isEqualTo(new LdapDirectory.Result.Refused("no LDAP entry has the uid given under "
                    + TestDirectory.BASE));
            assertThat(ldap.authenticate("twin", "twin-password")).as("two entries: which one is meant?")
                    .isEqualTo(new LdapDirectory.Result.Refused("more than one LDAP entry has the uid given under " + TestDirectory.BASE));
        }
    }

    @Test
    void aNameAsTypedNeverReachesAReasonWhichTheLogsCarry() {
        try (LdapDirectory ldap = server.plain().build()) {
            String pasted = "pck_AAAAAAAAAAA_secretsecretsecretsecretsecretsecret";
            assertThat(((LdapDirectory.Result.Refused) ldap.authenticate(pasted, "x")).reason()).doesNotContain("secret");
        }
    }

    @Test
    void anEmptyPasswordIsRefusedBeforeAnyBindSinceLdapTakesItForAnAnonymousBind() {
        try (LdapDirectory ldap = server.plain().build()) {
            assertThat(ldap.authenticate("alice", "")).isInstanceOf(LdapDirectory.Result.Refused.class);
            assertThat(server.userBinds).hasValue(0);
            assertThat(server.filters).isEmpty();
        }
    }

    /** RFC 4515: a name is an assertion value; *, (, ) and \ in it are escaped, so they match only themselves. */
    @Test
    void filterCharactersInANameMatchOnlyThemselves() {
        try (LdapDirectory ldap = server.plain().build()) {
            for (String injection : List.of("ali*", "alice)(uid=*", "*)(|(uid=*", "alice\\2a", "al\u0000ice")) {
                assertThat(ldap.authenticate(injection, "alice-password")).as(injection).isInstanceOf(LdapDirectory.Result.Refused.class);
            }
            assertThat(server.filters).contains("(uid=ali\\2a)", "(uid=alice\\29\\28uid=\\2a)");
            assertThat(ldap.authenticate("*", "star-password")).as("a user whose name is *").isInstanceOf(LdapDirectory.Result.Success.class);
            assertThat(ldap.authenticate("*", "alice-password")).isInstanceOf(LdapDirectory.Result.Refused.class);
        }
    }

    @Test
    void theUserFilterMustAlsoMatch() {
        try (LdapDirectory ldap = server.plain().userFilter("(!(nsaccountlock=TRUE))").build()) {
            assertThat(ldap.authenticate("carol", "carol-password")).as("a locked account").isInstanceOf(LdapDirectory.Result.Refused.class);
            assertThat(ldap.authenticate("bob", "bob-password")).isInstanceOf(LdapDirectory.Result.Success.class);
            assertThat(server.filters).contains("(&(uid=bob)(!(nsaccountlock=TRUE)))");
        }
        try (LdapDirectory unwrapped = server.plain().userFilter("objectClass=inetOrgPerson").build()) {
            assertThat(unwrapped.authenticate("bob", "bob-password")).as("zot's form without parentheses").isInstanceOf(LdapDirectory.Result.Success.class);
        }
        assertThatThrownBy(() -> server.plain().userFilter("(uid=").build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("the user filter '(uid=' is not an LDAP filter (RFC 4515)");
    }

    @Test
    void aSuccessfulBindIsRememberedUnderAnHmacAndAFailureForgetsTheUser() {
        try (LdapDirectory ldap = server.plain().build()) {
            assertThat(ldap.cached("alice", "alice-password")).isEmpty();
            for (int i = 0; i < 50; i++) {
                assertThat(ldap.authenticate("alice", "alice-password")).isInstanceOf(LdapDirectory.Result.Success.class);
            }
            assertThat(server.userBinds).as("a CI client's fifty requests").hasValue(1);
            assertThat(ldap.cached("alice", "alice-password")).isPresent();
            assertThat(ldap.cached("alice", "alice-passworD")).isEmpty();
            assertThat(ldap.authenticate("alice", "wrong")).isInstanceOf(LdapDirectory.Result.Refused.class);
            assertThat(ldap.cached("alice", "alice-password")).as("a failure forgets the user's remembered binds").isEmpty();
            assertThat(ldap.authenticate("alice", "alice-password")).isInstanceOf(LdapDirectory.Result.Success.class);
            assertThat(server.userBinds).hasValue(3);
        }
        try (LdapDirectory noCache = server.plain().cacheTtl(Duration.ZERO).build()) {
            noCache.authenticate("bob", "bob-password");
            noCache.authenticate("bob", "bob-password");
            assertThat(server.userBinds).hasValue(5);
        }
    }

    @Test
    void aDirectoryThatIsDownIsUnavailableNeverAccessAndComesBack() throws Exception {
        try (LdapDirectory ldap = server.plain().timeout(Duration.ofSeconds(2)).build()) {
            assertThat(ldap.authenticate("bob", "bob-password")).isInstanceOf(LdapDirectory.Result.Success.class);
            server.down();
            try {
                assertThat(ldap.authenticate("alice", "alice-password")).isInstanceOf(LdapDirectory.Result.Unavailable.class);
                assertThat(ldap.authenticate("alice", "wrong")).isInstanceOf(LdapDirectory.Result.Unavailable.class);
                assertThat(ldap.authenticate("bob", "bob-password")).as("remembered within its minute").isInstanceOf(LdapDirectory.Result.Success.class);
            } finally {
                server.up();
            }
            assertThat(ldap.authenticate("alice", "alice-password")).as("the pool connects again").isInstanceOf(LdapDirectory.Result.Success.class);
        }
    }

    @Test
    void aWrongServiceAccountIsUnavailableNotARefusalOfTheUser() {
        try (LdapDirectory ldap = server.plain().serviceAccount(TestDirectory.SERVICE_DN, "not-it").build()) {
            assertThat(ldap.authenticate("alice", "alice-password")).isInstanceOf(LdapDirectory.Result.Unavailable.class);
        }
        try (LdapDirectory anonymous = LdapDirectory.builder("127.0.0.1", server.plainPort()).insecure().baseDn(TestDirectory.BASE).build()) {
            assertThat(anonymous.authenticate("alice", "alice-password")).as("this server lets nobody search anonymously")
                    .isInstanceOf(LdapDirectory.Result.Unavailable.class);
        }
    }

    @Test
    void ldapsAndStartTlsTrustTheGivenAuthorityAndCheckTheHostName() {
        try (LdapDirectory ldaps = LdapDirectory.builder("127.0.0.1", server.ldapsPort()).baseDn(TestDirectory.BASE)
                .serviceAccount(TestDirectory.SERVICE_DN, TestDirectory.SERVICE_PASSWORD).caCertificate(server.caCertificate).build();
             LdapDirectory startTls = LdapDirectory.builder("localhost", server.plainPort()).startTls().baseDn(TestDirectory.BASE)
                .serviceAccount(TestDirectory.SERVICE_DN, TestDirectory.SERVICE_PASSWORD).caCertificate(server.caCertificate).build()) {
            assertThat(ldaps.authenticate("alice", "alice-password")).isInstanceOf(LdapDirectory.Result.Success.class);
            assertThat(startTls.authenticate("alice", "alice-password")).isInstanceOf(LdapDirectory.Result.Success.class);
        }
        try (LdapDirectory untrusted = LdapDirectory.builder("127.0.0.1", server.ldapsPort()).baseDn(TestDirectory.BASE)
                .serviceAccount(TestDirectory.SERVICE_DN, TestDirectory.SERVICE_PASSWORD).build();
             LdapDirectory plainToTls = LdapDirectory.builder("127.0.0.1", server.plainPort()).baseDn(TestDirectory.BASE)
                .serviceAccount(TestDirectory.SERVICE_DN, TestDirectory.SERVICE_PASSWORD).timeout(Duration.ofSeconds(2)).build()) {
            assertThat(untrusted.authenticate("alice", "alice-password")).as("a certificate the JVM does not trust")
                    .isInstanceOf(LdapDirectory.Result.Unavailable.class);
            assertThat(plainToTls.authenticate("alice", "alice-password")).as("LDAPS to a plain port")
                    .isInstanceOf(LdapDirectory.Result.Unavailable.class);
        }
        try (LdapDirectory skip = LdapDirectory.builder("127.0.0.1", server.ldapsPort()).baseDn(TestDirectory.BASE).skipVerify(true)
                .serviceAccount(TestDirectory.SERVICE_DN, TestDirectory.SERVICE_PASSWORD).build()) {
            assertThat(skip.authenticate("alice", "alice-password")).as("zot's skipVerify").isInstanceOf(LdapDirectory.Result.Success.class);
        }
    }
}
