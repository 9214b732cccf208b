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
            {"http": {"auth": {"ldap": {"address": "ldap.example.com"}}}}         | http.auth.ldap needs address (the directory's host) and baseDN (where the users are), e.g. "address": "ldap.example.org", "baseDN": "ou=Users,dc=example,dc=org"
            {"http": {"auth": {"ldap": {"address": "ldap.example.com", "baseDN": "dc=x", "bindDN": "cn=r"}}}} | http.auth.ldap.bindDN: give the service account in a credentials file, as zot 2 does: "credentialsFile": "ldap-credentials.json" holding {"bindDN": "…", "bindPassword": "…"}
            {"http": {"auth": {"ldap": {"address": "ldap.example.com", "baseDN": "dc=x", "userFilter": "(uid="}}}} | http.auth.ldap: the user filter '(uid=' is not an LDAP filter (RFC 4515): Unable to parse string '(uid=' as an LDAP filter because it has an opening parenthesis at position 0 without the expected closing parenthesis at position 4.; write it as (!(nsaccountlock=TRUE)) or (objectClass=person)
            {"http": {"auth": {"apikey": true}}, "portcullis": {"ldap": {"cacheSeconds": 5}}} | portcullis.ldap tunes the LDAP directory of http.auth.ldap, which is not given
            {"http": {"auth": {"openid": {"providers": {}}}}}                      | http.auth.openid.providers must name at least one provider
            {"http": {"auth": {"openid": {"providers": {"dex": {"issuer": "https://dex.example", "clientid": "c", "clientsecret": "s"}}}}}} | http.auth.openid needs http.externalUrl, the URL users reach the registry at (the providers redirect back to <externalUrl>/auth/callback/<provider>)
            {"http": {"externalUrl": "https://r.example", "auth": {"openid": {"providers": {"dex": {"clientid": "c", "clientsecret": "s"}}}}}} | http.auth.openid.providers.dex needs an issuer (the OpenID provider's URL, whose discovery document gives its endpoints); only the provider named 'github' logs in without one
            {"http": {"externalUrl": "https://r.example", "auth": {"openid": {"providers": {"dex": {"issuer": "https://dex.example", "clientid": "c", "clientsecret": "s", "tokenurl": "https://dex.example/t"}}}}}} | http.auth.openid.providers.dex.tokenurl: only the provider named 'github' (OAuth2 without discovery) takes tokenurl; an OpenID provider's endpoints come from its issuer's discovery document
            {"http": {"externalUrl": "https://r.example", "auth": {"openid": {"providers": {"github": {"issuer": "https://dex.example", "clientid": "c", "clientsecret": "s"}}}}}} | http.auth.openid.providers.github.issuer: the provider named 'github' is GitHub's OAuth2 login, as in zot, which has no issuer; to log in through an OpenID provider (Dex with a GitHub connector, say), give it another name
            {"http": {"externalUrl": "https://r.example", "auth": {"openid": {"providers": {"dex": {"issuer": "https://dex.example", "clientid": "c", "clientsecret": "s", "organizations": ["acme"]}}}}}} | http.auth.openid.providers.dex.organizations: only the provider named 'github' takes organizations
            {"http": {"externalUrl": "https://r.example", "auth": {"openid": {"providers": {"my corp": {"issuer": "https://dex.example", "clientid": "c", "clientsecret": "s"}}}}}} | http.auth.openid.providers.my corp: provider name 'my corp' may hold only letters, digits, '.', '_' and '-'
            {"http": {"externalUrl": "https://r.example", "auth": {"openid": {"providers": {"github": {"clientid": "c", "clientsecret": "s", "claimMapping": {"groups": "teams"}}}}}}} | http.auth.openid.providers.github.claimMapping.groups: a GitHub user's groups are their organizations (org) and teams (org/team); remove the field
            {"http": {"externalUrl": "https://r.example", "auth": {"openid": {"providers": {"github": {"clientid": "c", "clientsecret": "s", "claimMapping": {"username": "name"}}}}}}} | http.auth.openid.providers.github: provider github: a GitHub user is named by one of [email, login, id], not 'name'
            {"http": {"externalUrl": "https://r.example", "auth": {"openid": {"providers": {"github": {"clientid": "c", "clientsecret": "s", "authurl": "https://ghe.example/login/oauth/authorize", "tokenurl": "https://ghe.example/login/oauth/access_token"}}}}}} | http.auth.openid.providers.github: with authurl and tokenurl, give apiurl too (GitHub Enterprise Server: https://HOST/api/v3), else the user would be looked up at github.com
            {"http": {"externalUrl": "https://r.example", "auth": {"openid": {"providers": {"github": {"clientid": "c", "clientsecret": "s", "authurl": "http://ghe.example/a", "tokenurl": "http://ghe.example/t", "apiurl": "http://ghe.example/api/v3"}}}}}} | http.auth.openid.providers.github: the authorization endpoint (authurl) of provider github 'http://ghe.example/a' must be https (plain http is allowed only on this machine): anyone on the way could read the client secret or the user's token, or answer for GitHub
            {"http": {"externalUrl": "https://r.example", "auth": {"openid": {"providers": {"dex": {"issuer": "https://dex.example", "clientid": "c"}}}}}} | http.auth.openid.providers.dex needs clientid and clientsecret, or a credentialsFile holding both
            {"http": {"externalUrl": "https://r.example", "auth": {"openid": {"providers": {"dex": {"issuer": "https://dex.example", "clientid": "c", "clientsecret": "s", "keypath": "k"}}}}}} | http.auth.openid.providers.dex.keypath: private_key_jwt client authentication is not supported by Portcullis yet; remove http.auth.openid.providers.dex.keypath or run zot's own authentication for it
            {"http": {"externalUrl": "https://r.example", "auth": {"openid": {"providers": {"dex": {"issuer": "https://dex.example", "clientid": "c", "clientsecret": "s", "clientAuthMethod": "private_key_jwt"}}}}}} | http.auth.openid.providers.dex.clientAuthMethod: unknown client authentication method 'private_key_jwt'; use client_secret_basic or client_secret_post
            {"http": {"externalUrl": "https://r.example", "auth": {"openid": {"providers": {"dex": {"issuer": "https://dex.example", "clientid": "registry", "clientsecret": "s"}}}, "bearer": {"oidc": [{"issuer": "https://ci.example", "audiences": ["registry"]}]}}}} | http.auth.bearer.oidc: the audience 'registry' of https://ci.example is the client id of OIDC provider 'dex'; give bearer tokens an audience of their own
            {"http": {"auth": {"bearer": {"oidc": [{"issuer": "https://token.actions.githubusercontent.com", "audiences": ["r"]}]}}}} | http.auth.bearer.oidc[0]: trusted issuer https://token.actions.githubusercontent.com gives anyone a token for any audience; say whose tokens count with requiredClaims, e.g. {"repository_owner_id": ["<your org's id>"]} (GitHub) or {"namespace_id": ["<your group's id>"]} (GitLab): ids, since a name given up can be taken by someone else
            {"http": {"auth": {"bearer": {"realm": "https://auth.example/token", "cert": "c"}}}} | http.auth.bearer: an external token server needs realm (its URL), service and cert (its certificate or public key); missing: service
            {"http": {"auth": {"bearer": {"oidc": [{"issuer": "https://ci.example", "audiences": []}]}}}} | http.auth.bearer.oidc[0]: trusted issuer https://ci.example needs at least one audience: a token for another service must not pass
            {"http": {"auth": {"bearer": {"oidc": [{"issuer": "https://ci.example", "audiences": ["r"], "claimMapping": {"variables": []}}]}}}} | http.auth.bearer.oidc[0].claimMapping.variables: CEL variables and validations is not supported by Portcullis yet; remove http.auth.bearer.oidc[0].claimMapping.variables or run zot's own authentication for it
            {"http": {"auth": {"bearer": {"oidc": [{"issuer": "https://ci.example", "audiences": ["r"], "claimMapping": {"username": "claims.sub.lowerAscii()"}}]}}}} | http.auth.bearer.oidc[0]: user name expression 'claims.sub.lowerAscii()' is not a claim path; write claim paths and 'literals' joined by +, e.g. claims.iss + '/' + claims.sub (CEL beyond that is not supported)
            {"http": {"auth": {"mtls": {"identityAttributes": ["CommonName"]}}}}   | http.auth.mtls needs http.tls.cacert, the authorities whose client certificates are credentials
            {"http": {"auth": {"failDelay": "soon"}}}                              | http.auth.failDelay must be a non-negative whole number
            {"http": {"accessControl": {}}, "portcullis": {"policyFile": "p.policy"}} | both http.accessControl and portcullis.policyFile are given; keep one policy
            {"portcullis": {"apiKeys": {"overlong": "maybe"}}}                    | portcullis.apiKeys.overlong must be "clamp" or "refuse"
            {"portcullis": {"failureLimit": {"attempts": 5, "windowSeconds": 60, "delayMillis": -1}}} | portcullis.failureLimit.delayMillis must be a non-negative whole number
            {"http": {"accesscontrol": {"repositories": {}}}}                      | unknown field http.accesscontrol: did you mean http.accessControl? A misspelt field is not ignored, since it could change who may do what
            {"http": {"auth": {"htpassword": {"path": "h"}}}}                     | unknown field http.auth.htpassword: did you mean http.auth.htpasswd? A misspelt field is not ignored, since it could change who may do what
            {"http": {}, "accessControl": {"repositories": {}}}                    | the field 'accessControl' belongs under http, as in zot: {"http": {"accessControl": …}}
            {"portculis": {"policyFile": "p.policy"}}                              | unknown field portculis: did you mean portcullis? A misspelt field is not ignored, since it could change who may do what
            {"portcullis": {"policyfile": "p.policy"}}                             | unknown field portcullis.policyfile: did you mean portcullis.policyFile? A misspelt field is not ignored, since it could change who may do what
            {"portcullis": {"colour": "blue"}}                                     | unknown field portcullis.colour; the fields of portcullis are dataDirectory, keyStore, endpointPrefix, policyFile, selfServicePage, trustedProxies, failureLimit, apiKeys, sessions, registryTokens, ldap
            {"portcullis": {"registryTokens": {"lifetimeSeconds": 90000}}}          | portcullis.registryTokens.lifetimeSeconds is 90000; a registry token lives at most a day (86400), e.g. 300
            {"portcullis": {"registryTokens": {"enabled": "yes"}}}                  | portcullis.registryTokens.enabled must be true or false
            {"http": {"auth": ["htpasswd"]}}                                       | http.auth must be an object, got array
            {"portcullis": {"apiKeys": true}}                                      | portcullis.apiKeys must be an object, got boolean
            {"portcullis": {"dataDirectory": "a\\u0000b"}}                          | portcullis.dataDirectory is not a valid path: Nul character not allowed
            {"portcullis": {"endpointPrefix": "/v2"}}                              | portcullis.endpointPrefix: endpoint prefix '/v2' must be outside the registry API /v2/, e.g. /auth
            {"portcullis": {"failureLimit": {"attempts": 5, "windowSeconds": 0}}}  | portcullis.failureLimit.windowSeconds must be a whole number of at least 1
            {"portcullis": {"failureLimit": {"attempts": 0, "windowSeconds": 60}}} | portcullis.failureLimit.attempts must be a whole number of at least 1
            {"http": {"auth": {"failDelay": 0.9}}}                                 | http.auth.failDelay must be a non-negative whole number
            {"portcullis": {"apiKeys": {"eventPollMillis": 0}}}                    | portcullis.apiKeys.eventPollMillis must be a whole number of at least 1
            {"portcullis": {"sessions": {"maxAgeMinutes": 0}}}                     | portcullis.sessions.maxAgeMinutes must be a whole number of at least 1
            {"portcullis": {"trustedProxies": ["10.0.0.0/8"]}}                     | portcullis.trustedProxies: '10.0.0.0/8' is a range; list each proxy's address (ranges are not supported)
            {"portcullis": {"trustedProxies": ["proxy.internal"]}}                 | portcullis.trustedProxies: 'proxy.internal' is not an IP address; list each proxy's address as the container reports it (e.g. 10.0.0.7)
            {"portcullis": {"trustedProxies": [{"ip": "10.0.0.7"}]}}               | portcullis.trustedProxies[0] must be a string
            {"portcullis": {"keyStore": "postgres://registry:S3cretPw@db.internal:5432/registry"}} | portcullis.keyStore is a postgres:// URL, not a JDBC one; write jdbc:postgresql://HOST:PORT/DATABASE?user=…&password=… (or jdbc:sqlite:PATH), or the path of a SQLite file
            {"http": {"externalUrl": "https://r.example", "auth": {"openid": {"providers": {"dex": {"issuer": "https://dex.example", "clientid": "c", "clientsecret": "s", "claimMapping": {"user": "email"}}}}}}} | unknown field http.auth.openid.providers.dex.claimMapping.user; the fields of http.auth.openid.providers.dex.claimMapping are username, groups
            {"http": {"auth": {}}, "http": {}}                                     | malformed JSON at line 1, column 30: Duplicate field '…'
            {"http": {"ratelimit": {"rate": 0}}}                                   | http.ratelimit.rate must be a whole number of at least 1
            {"http": {"ratelimit": {"methods": [{"method": "get", "rate": 5}]}}}   | http.ratelimit.methods[0].method: a rate limit's method must be an HTTP method in capitals, such as GET, got 'get'
            {"http": {"ratelimit": {"methods": [{"method": "GET", "rate": 5}, {"method": "GET", "rate": 6}]}}} | http.ratelimit.methods[1]: GET has a rate already; give each method once
            {"http": {"ratelimit": {"methods": {"GET": 5}}}}                       | http.ratelimit.methods must be a list such as [{"method": "GET", "rate": 5}]
            {"http": {"auth": {"secureSession": false}}, "portcullis": {"sessions": {"secureCookie": true}}} | http.auth.secureSession is false but portcullis.sessions.secureCookie is true; they say the same thing: keep one
            """)
    void unsupportedFeaturesAndBadValuesStopTheStart(String json, String message) {
        assertThatThrownBy(() -> PortcullisConfig.parse(json, dir)).isInstanceOf(InvalidPolicyException.class).hasMessage(message);
    }

    /** zot gives a users entry "" to anonymous callers: a ported config.json with one stops the start, naming it. */
    @Test
    void anEmptyUserNameInAZotConfigStopsTheStart() {
        assertThatThrownBy(() -> PortcullisConfig.parse("""
                {"http": {"accessControl": {"repositories": {"**": {"policies": [{"users": [""], "actions": ["read"]}]}}}}}""", dir))
                .isInstanceOf(InvalidPolicyException.class)
                .hasMessageContaining("http.accessControl.repositories[\"**\"].policies[0].users[0]: an empty user name")
                .hasMessageContaining("anonymousPolicy");
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
    void theSelfServicePageCanBeMovedOrTurnedOff() throws Exception {
        String base = "{\"http\": {\"auth\": {\"apikey\": true}}, \"portcullis\": {\"keyStore\": \"" + dir.resolve("k.db") + "\"";
        try (Portcullis moved = PortcullisConfig.parse(base + ", \"selfServicePage\": \"/account/\"}}", dir).build();
             Portcullis off = PortcullisConfig.parse(base + ", \"selfServicePage\": false}}", dir).build();
             Portcullis standard = PortcullisConfig.parse(base + "}}", dir).build()) {
            assertThat(moved.readsBody("/account/")).isTrue();
            assertThat(moved.readsBody("/auth/")).isFalse();
            assertThat(off.readsBody("/auth/")).isFalse();
            assertThat(standard.readsBody("/auth/")).isTrue();
        }
        assertThatThrownBy(() -> PortcullisConfig.parse(base + ", \"selfServicePage\": \"account\"}}", dir))
                .hasMessage("portcullis.selfServicePage 'account' must be a path outside /v2/, such as \"/account/\" (or false to turn the page off)");
        assertThatThrownBy(() -> PortcullisConfig.parse(base + ", \"selfServicePage\": true}}", dir))
                .hasMessageStartingWith("portcullis.selfServicePage (a path such as \"/account/\", or false) must be a string");
    }

    @Test
    void proxiesAreAddressesAsContainersReportThem() {
        // Jetty brackets IPv6 peers ([0:0:0:0:0:0:0:1]); Tomcat and Netty do not
        org.assertj.core.api.Assertions.assertThatCode(() -> PortcullisConfig.parse("""
                {"portcullis": {"trustedProxies": ["10.0.0.7", "::1", "[0:0:0:0:0:0:0:1]"]}}
                """, dir)).doesNotThrowAnyException();
    }

    @Test
    void aKeyStoreTheWorkingDirectoryHoldsAndTheConfigurationsDoesNotIsAnError() throws Exception {
        // earlier versions read a relative keyStore from the working directory: an empty store instead would lose every key
        Path old = Path.of("target", "portcullis-config-test-" + System.nanoTime() + ".db");
        Files.writeString(old, "");
        try {
            assertThatThrownBy(() -> PortcullisConfig.parse("{\"portcullis\": {\"keyStore\": \"" + old + "\"}}", dir))
                    .isInstanceOf(InvalidPolicyException.class).hasMessageContaining("give the path absolute");
        } finally {
            Files.delete(old);
        }
    }

    @Test
    void aKeyStorePathIsRelativeToTheConfigurationFile() {
        PortcullisConfig c = PortcullisConfig.parse("""
                {"http": {"auth": {"apikey": true}}, "portcullis": {"keyStore": "keys/registry.db"}}
                """, dir);
        assertThat(c.keyStore()).isEqualTo(dir.resolve("keys/registry.db").toString());
    }

    @Test
    void theFailureLimitAndItsDelayAreConfigurable() {
        String config = """
                {"http": {"auth": {"apikey": true}, "accessControl": {"repositories": {"**": {"anonymousPolicy": ["read"]}}}},
                 "portcullis": {"failureLimit": {"attempts": 1, "windowSeconds": 60, "delayMillis": %s}}}
                """;
        for (String delay : new String[] {"0", "2500"}) {
            PortcullisConfig c = PortcullisConfig.parse(config.formatted(delay), dir);
            assertThat(c.warnings()).isEmpty();
            try (Portcullis p = c.build()) {
                Outcome failed = p.handle(TestRequest.of("GET", "/v2/a/manifests/1", "Authorization: Bearer pck_wrong"));
                assertThat(failed).isInstanceOfSatisfying(Outcome.Respond.class, r -> assertThat(r.status()).isEqualTo(401));
                Outcome limited = p.handle(TestRequest.of("GET", "/v2/a/manifests/1", "Authorization: Bearer pck_wrong"));
                assertThat(limited).isInstanceOfSatisfying(Outcome.Respond.class, r -> {
                    assertThat(r.status()).isEqualTo(429);
                    assertThat(r.delay()).isEqualTo(java.time.Duration.ofMillis(Long.parseLong(delay)));
                });
            }
        }
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
    void oidcProvidersSessionsAndBearerIssuersLoadFromAZotConfig() throws Exception {
        Files.writeString(dir.resolve("dex-credentials.json"), "{\"clientid\": \"zot\", \"clientsecret\": \"from-file\"}");
        String config = """
                {"http": {"externalUrl": "https://registry.example.com/",
                          "auth": {"apikey": true,
                                   "openid": {"callbackAllowOrigins": ["http://127.0.0.1:3000"],
                                              "providers": {"dex": {"name": "Dex", "issuer": "https://dex.example", "credentialsFile": "dex-credentials.json",
                                                                    "scopes": ["profile", "email"],
                                                                    "claimMapping": {"username": "preferred_username", "groups": "realm_access.roles"}},
                                                            "keycloak": {"issuer": "https://kc.example/realms/r", "clientid": "registry", "clientsecret": "s",
                                                                         "clientAuthMethod": "client_secret_post"}}},
                                   "bearer": {"oidc": [{"issuer": "https://token.actions.githubusercontent.com", "audiences": ["registry.example.com"],
                                                        "requiredClaims": {"repository_owner": ["my-org"]}}]}},
                          "accessControl": {"repositories": {"**": {"anonymousPolicy": ["read"]}}}},
                 "portcullis": {"sessions": {"maxAgeMinutes": 30}}}
                """;
        PortcullisConfig c = PortcullisConfig.parse(config, dir);
        assertThat(c.warnings()).isEmpty();
        try (Portcullis p = c.build()) {
            Outcome.Respond r = (Outcome.Respond) p.handle(TestRequest.of("GET", "/auth/login?provider=nope"));
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.bodyText()).contains("configured: dex, keycloak");
        }
        Path keys = dir.resolve("data/session-keys.json");
        assertThat(keys).exists();
        assertThat(Files.getPosixFilePermissions(keys)).containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        String first = Files.readString(keys);
        PortcullisConfig.parse(config, dir).build().close();
        assertThat(Files.readString(keys)).as("a restart keeps the keys, so sessions survive it").isEqualTo(first);
    }

    @Test
    void zotsRateLimitLoadsAndLimitsPerClientAndPath() {
        PortcullisConfig c = PortcullisConfig.parse("""
                {"http": {"ratelimit": {"rate": 1, "methods": [{"method": "PUT", "rate": 2}]},
                          "accessControl": {"repositories": {"**": {"anonymousPolicy": ["read"]}}}}}
                """, dir);
        assertThat(c.warnings()).isEmpty();
        try (Portcullis p = c.build()) {
            assertThat(p.summary()).contains("rate limits [1/s per client and path, 2/s per client and path for PUT]");
            Outcome.Respond limited = null;
            for (int i = 0; i < 10 && limited == null; i++) { // a bucket of one, refilled in a second: ten in a row meet it
                if (p.handle(TestRequest.of("GET", "/v2/team/app/manifests/1")) instanceof Outcome.Respond r && r.status() == 429) {
                    limited = r;
                }
            }
            assertThat(limited).isNotNull();
            assertThat(limited.headers()).containsEntry("Retry-After", "1");
            assertThat(limited.bodyText()).contains("TOOMANYREQUESTS", "over the rate limit of 1/s per client and path");
        }
    }

    /** zot's http.auth.secureSession, and http.tls (then zot's cookies are always Secure); the portcullis section's word wins. */
    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource(delimiter = '|', textBlock = """
            "secureSession": true  | http://r.example  |                                   | true
            "secureSession": false | https://r.example |                                   | false
            "secureSession": false | http://r.example  | "tls": {"cert": "c", "key": "k"}, | true
            "apikey": true         | http://r.example  |                                   | false
            "apikey": true         | https://r.example |                                   | true
            """)
    void sessionCookiesAreSecureAsZotSays(String auth, String url, String tls, boolean secure) {
        String config = """
                {"http": {%s "externalUrl": "%s", "auth": {%s, "openid": {"providers": {"dex": {"issuer": "https://dex.example",
                          "clientid": "c", "clientsecret": "s"}}}}, "accessControl": {"repositories": {}}}}
                """.formatted(tls == null ? "" : tls, url, auth);
        try (Portcullis p = PortcullisConfig.parse(config, dir).build()) {
            Outcome.Respond r = (Outcome.Respond) p.handle(TestRequest.of("POST", "/auth/logout"));
            String cleared = String.join("; ", r.cookies());
            assertThat(cleared).as("the cleared session cookie").contains("Max-Age=0");
            assertThat(cleared.contains("Secure")).isEqualTo(secure);
        }
    }

    @Test
    void secureSessionWithoutALoginIsSaidToDoNothing() {
        assertThat(PortcullisConfig.parse("{\"http\": {\"auth\": {\"apikey\": true, \"secureSession\": true}}}", dir).warnings())
                .containsExactly("http.auth.secureSession has no effect here: Portcullis makes session cookies only for OpenID Connect"
                        + " logins (http.auth.openid), and none is configured");
    }

    @Test
    void zotsSessionKeyFileIsAccepted() throws Exception {
        Files.writeString(dir.resolve("sessionKeys.json"), "{\"hashKey\": \"my-very-secret-hash-key\", \"encryptKey\": \"my-encrypt-key\"}");
        String config = """
                {"http": {"externalUrl": "http://localhost:5000",
                          "auth": {"sessionKeysFile": "sessionKeys.json",
                                   "openid": {"providers": {"dex": {"issuer": "https://dex.example", "clientid": "c", "clientsecret": "s"}}}}}}
                """;
        PortcullisConfig.parse(config, dir).build().close();
        assertThat(dir.resolve("data/session-keys.json")).as("the configured keys are used, none generated").doesNotExist();
        assertThatThrownBy(() -> PortcullisConfig.parse("{\"portcullis\": {\"sessions\": {\"keys\": \"{\\\"keys\\\": [\\\"short\\\"]}\"}}}", dir))
                .hasMessage("portcullis.sessions.keys: session keys: keys[0] must be 32 random bytes in base64url (43 characters);"
                        + " make one with: head -c 32 /dev/urandom | basenc --base64url");
        Files.writeString(dir.resolve("sessionKeys.json"), "{\"encryptKey\": \"x\"}");
        assertThatThrownBy(() -> PortcullisConfig.parse(config, dir)).hasMessageContaining("http.auth.sessionKeysFile")
                .hasMessageContaining("expected zot's {\"hashKey\", \"encryptKey\"}");
    }

    @Test
    void aMissingFileIsNamed() {
        assertThatThrownBy(() -> PortcullisConfig.load(dir.resolve("nope.json"))).hasMessageStartingWith(dir.resolve("nope.json")
                + ": cannot read the configuration");
    }
}
