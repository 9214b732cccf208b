package dev.portcullis.examples.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.examples.registry.RegistryServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * LDAP users push and pull with the real skopeo through the example registry on both front ends, against Debian's
 * OpenLDAP ({@code slapd}): zot's {@code http.auth.ldap} as an operator writes it (a credentials file for the service
 * account, memberOf groups from the directory in the policy, a user filter); a wrong password, a user in no group and a
 * locked account are refused; a directory that went away gives 503 to a user it has not seen, and comes back.
 */
@Tag("e2e")
class RegistryLdapTest {
    @TempDir
    Path dir;
    RegistryServer server;
    Slapd slapd;
    final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (slapd != null) {
            slapd.close();
        }
    }

    @ParameterizedTest
    @EnumSource(RegistryServer.Kind.class)
    void ldapUsersPushAndPullAsTheirDirectoryGroupsAllow(RegistryServer.Kind kind) throws Exception {
        assertThat(Slapd.installed()).as("slapd and ldap-utils are installed by .ci/run").isTrue();
        slapd = Slapd.start(dir.resolve("slapd"), """
                dn: uid=alice,ou=Users,dc=example,dc=org
                objectClass: inetOrgPerson
                uid: alice
                cn: Alice
                sn: A
                userPassword: alice-password

                dn: uid=bob,ou=Users,dc=example,dc=org
                objectClass: inetOrgPerson
                uid: bob
                cn: Bob
                sn: B
                userPassword: bob-password

                dn: uid=dave,ou=Users,dc=example,dc=org
                objectClass: inetOrgPerson
                uid: dave
                cn: Dave
                sn: D
                userPassword: dave-password

                dn: uid=carol,ou=Users,dc=example,dc=org
                objectClass: inetOrgPerson
                uid: carol
                cn: Carol
                sn: C
                employeeType: disabled
                userPassword: carol-password

                dn: cn=devs,ou=Groups,dc=example,dc=org
                objectClass: groupOfNames
                cn: devs
                member: uid=alice,ou=Users,dc=example,dc=org
                member: uid=carol,ou=Users,dc=example,dc=org
                """);
        Files.writeString(dir.resolve("ldap-credentials.json"), "{\"bindDN\": \"" + Slapd.ADMIN_DN + "\", \"bindPassword\": \""
                + Slapd.ADMIN_PASSWORD + "\"}");
        Path config = Files.writeString(dir.resolve("config.json"), """
                {"http": {"realm": "ldap-registry",
                          "auth": {"ldap": {"credentialsFile": "ldap-credentials.json", "address": "127.0.0.1", "port": %d,
                                            "insecure": true, "baseDN": "%s", "userAttribute": "uid",
                                            "userGroupAttribute": "memberOf", "userFilter": "(!(employeeType=disabled))"}},
                          "accessControl": {"repositories": {"**": {
                              "anonymousPolicy": ["read"], "defaultPolicy": ["read"],
                              "policies": [{"groups": ["cn=devs,ou=Groups,dc=example,dc=org"], "actions": ["read", "create", "update"]}]}},
                            "metrics": {"anonymousPolicy": ["read"]}}}}
                """.formatted(slapd.port(), Slapd.BASE));
        server = RegistryServer.start(new RegistryServer.Options(kind, config, dir.resolve("data"), 0, "127.0.0.1", null));
        Skopeo skopeo = new Skopeo(Files.createDirectories(dir.resolve("skopeo")));
        OciLayout image = OciLayout.write(dir.resolve("image"), "v1", 7, 2);
        String target = "docker://127.0.0.1:" + server.port() + "/team/app:v1";

        skopeo.copy(image.reference(), target, "--dest-tls-verify=false", "--dest-creds", "alice:alice-password").orFail();
        skopeo.copy(target, "oci:" + dir.resolve("pulled") + ":v1", "--src-tls-verify=false", "--src-no-creds").orFail();
        assertThat(skopeo.inspect("oci:" + dir.resolve("pulled") + ":v1").orFail().output()).contains(image.manifestDigest());
        skopeo.copy(target, "oci:" + dir.resolve("pulled-by-bob") + ":v1", "--src-tls-verify=false", "--src-creds", "bob:bob-password")
                .orFail();

        Skopeo.Result wrong = skopeo.copy(image.reference(), target, "--dest-tls-verify=false", "--dest-creds", "alice:alice-passworD");
        assertThat(wrong.succeeded()).as(wrong.output()).isFalse();
        assertThat(wrong.output().toLowerCase()).contains("unauthorized");
        Skopeo.Result noGroup = skopeo.copy(image.reference(), "docker://127.0.0.1:" + server.port() + "/team/bob:v1", "--dest-tls-verify=false",
                "--dest-creds", "bob:bob-password");
        assertThat(noGroup.succeeded()).as("bob is in no group that may push: " + noGroup.output()).isFalse();
        assertThat(noGroup.output().toLowerCase()).contains("denied");
        assertThat(status("/v2/team/app/tags/list", "carol", "carol-password")).as("the user filter refuses carol").isEqualTo(401);
        assertThat(status("/v2/team/app/tags/list", "alice)(uid=*", "alice-password")).as("a filter in the name").isEqualTo(401);

        slapd.down();
        assertThat(status("/v2/team/app/tags/list", "dave", "dave-password")).as("a directory that went away: 503, never access")
                .isEqualTo(503);
        assertThat(status("/v2/team/app/tags/list", "bob", "bob-password")).as("bob's bind is remembered for a minute").isEqualTo(200);
        assertThat(status("/v2/team/app/tags/list", "alice", "alice-password"))
                .as("alice's is not: her wrong password above made the registry forget her binds").isEqualTo(503);
        slapd.up();
        assertThat(status("/v2/team/app/tags/list", "dave", "dave-password")).as("the directory is back").isEqualTo(200);
    }

    private int status(String path, String user, String password) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).header("Authorization", "Basic "
                + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
