package dev.portcullis.auth.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The canonical deployment (anonymous pulls, CI keys, htpasswd users, admins, metrics, the catalog, the /v2/ check), over HTTP. */
abstract class DeploymentCases extends ConformanceFixture {
    // ------------------------------------------------------------------ the canonical deployment

    @Test
    void anonymousPullIsAllowed() throws Exception {
        RawHttp.Response r = get("/v2/team/app/manifests/latest");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("user=anonymous mountsDenied=");
    }

    @Test
    void emptyBasicCredentialsAreAnonymousAsInZot() throws Exception {
        // skopeo --src-no-creds sends "Basic Og==" (":")
        RawHttp.Response pull = get("/v2/team/app/manifests/latest", "Authorization: Basic Og==");
        assertThat(pull.status()).isEqualTo(200);
        assertThat(pull.body()).isEqualTo("user=anonymous mountsDenied=");
        assertUnauthorized(send("PUT", "/v2/team/app/manifests/v1", "Authorization: Basic Og=="));
    }

    @Test
    void anonymousPushGets401WithTheChallengeAndAnOciBody() throws Exception {
        RawHttp.Response r = send("PUT", "/v2/team/app/manifests/v1");
        assertUnauthorized(r);
        assertThat(r.body()).isEqualTo("{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\",\"detail\":null}]}");
        assertThat(r.header("Content-Type")).startsWith("application/json");
    }

    @Test
    void ciPushesANewTagWithItsKeyAsBasicPassword() throws Exception {
        RawHttp.Response r = send("PUT", "/v2/team/app/manifests/new-tag", basic("ci", ciKey));
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.body()).isEqualTo("user=ci mountsDenied=");
    }

    /**
     * A '#' has no place in a request target. An application that parses the target as a URI cuts it there, so a policy
     * deciding on the text with it would judge another tag (a create, where the application updates) or another path.
     */
    @ParameterizedTest
    @ValueSource(strings = {"/v2/team/app/manifests/existing#", "/v2/team/app/manifests/existing#x", "/v2/team/app/manifests/existing#:x",
        "/v2/team/app/manifests/sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef?tag=existing#x"})
    void aFragmentInTheTargetNeverTurnsAnUpdateIntoACreate(String target) throws Exception {
        RawHttp.Response r = send("PUT", target, basic("ci", ciKey));
        assertThat(r.status()).as(target).isIn(400, 403);
        assertThat(r.body()).as(target).doesNotStartWith("user=");
    }

    /** A key or token typed into the user field, or sent without a scheme, is refused without being written to the audit log. */
    @Test
    void credentialsInTheWrongPlaceNeverReachTheAuditLog() throws Exception {
        String jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjaSJ9.c2lnbmF0dXJl";
        int before = events.size();
        assertUnauthorized(get("/v2/team/app/manifests/latest", basic(ciKey, "x")));
        assertUnauthorized(get("/v2/team/app/manifests/latest", basic(ciKey, ciKey)));
        assertUnauthorized(get("/v2/team/app/manifests/latest", basic(jwt, "x")));
        assertUnauthorized(get("/v2/team/app/manifests/latest", "Authorization: " + ciKey + " x"));
        assertThat(events.subList(before, events.size())).hasSize(4).allSatisfy(e -> assertThat(e.reason())
                .doesNotContain(ciKey).doesNotContain(ciKey.substring(ciKey.indexOf('_') + 1)).doesNotContain(jwt));
    }

    @Test
    void headerNamesAreCaseInsensitive() throws Exception {
        for (String name : List.of("authorization", "AUTHORIZATION", "aUTHORIZATIOn")) {
            RawHttp.Response r = send("PUT", "/v2/team/app/manifests/new-tag", name + basic("ci", ciKey).substring("Authorization".length()));
            assertThat(r.status()).as(name).isEqualTo(201);
            assertThat(r.body()).as(name).isEqualTo("user=ci mountsDenied=");
        }
    }

    @Test
    void ciCannotOverwriteAnExistingTagNorDelete() throws Exception {
        RawHttp.Response overwrite = send("PUT", "/v2/team/app/manifests/existing", basic("ci", ciKey));
        assertThat(overwrite.status()).isEqualTo(403);
        assertThat(overwrite.body()).isEqualTo("{\"errors\":[{\"code\":\"DENIED\",\"message\":\"requested access to the resource is denied\","
                + "\"detail\":{\"reason\":\"user 'ci' may not update 'team/app'\"}}]}");
        assertThat(send("DELETE", "/v2/team/app/manifests/sha256:abc", basic("ci", ciKey)).status()).isEqualTo(403);
    }

    @Test
    void theKeyWorksAsABearerTokenToo() throws Exception {
        assertThat(send("PUT", "/v2/team/app/manifests/other", "Authorization: Bearer " + ciKey).status()).isEqualTo(201);
    }

    @Test
    void aBasicUserOtherThanTheKeysOwnerIsRefused() throws Exception {
        assertUnauthorized(send("PUT", "/v2/team/app/manifests/v2", basic("ops", ciKey)));
        for (int i = 0; i < 2; i++) { // the owner's header, verified and then remembered, does not vouch for another user's
            assertThat(send("PUT", "/v2/team/app/manifests/v2", basic("ci", ciKey)).status()).isEqualTo(201);
            assertUnauthorized(send("PUT", "/v2/team/app/manifests/v2", basic("ops", ciKey)));
        }
    }

    /**
     * The decision is taken on the head; the application writes after the body. A caller who may create but not update
     * opens a push of a tag that does not exist yet, and holds its body; meanwhile an admin publishes that tag. When the
     * body arrives, the write's condition (the tag must still be absent) no longer holds: refused as the update it
     * would now be, and the admin's content stays.
     */
    @Test
    void aCreateOnlyPushLosesTheRaceToATagPublishedWhileItsBodyArrives() throws Exception {
        String target = "/v2/team/race/manifests/release";
        try (RawHttp.Conversation slow = new RawHttp.Conversation(port)) {
            slow.write("PUT " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + basic("ci", ciKey) + "\r\nContent-Length: 10\r\n\r\nfrom-");
            awaitEvent(e -> target.equals(e.path()) && "ci".equals(e.user()) && e.status() == 0);
            RawHttp.Response admin = RawHttp.send(port, "PUT", target, List.of(basic("ops", "ops-password")),
                    "from-admin".getBytes(StandardCharsets.UTF_8));
            assertThat(admin.status()).isEqualTo(201);
            slow.write("ci!!!");
            RawHttp.Response lost = Objects.requireNonNull(slow.next(), "the server closed the connection without an answer");
            assertThat(lost.status()).isEqualTo(403);
            assertThat(lost.body()).isEqualTo("{\"errors\":[{\"code\":\"DENIED\",\"message\":\"requested access to the resource is denied\","
                    + "\"detail\":{\"reason\":\"user 'ci' may not update 'team/race'\"}}]}");
        }
        assertThat(tags().content("team/race", "release")).contains("from-admin");
        assertThat(events).anySatisfy(e -> {
            assertThat(e.status()).isEqualTo(403);
            assertThat(e.reason()).startsWith("'release' was created after the request was allowed, before it committed: Denied:");
        });
    }

    @Test
    void aCreateOnlyPushThatFindsTheTagStillAbsentIsStoredAndCannotBeRepeated() throws Exception {
        String target = "/v2/team/race/manifests/first";
        assertThat(RawHttp.send(port, "PUT", target, List.of(basic("ci", ciKey)), "one".getBytes(StandardCharsets.UTF_8)).status())
                .isEqualTo(201);
        assertThat(tags().content("team/race", "first")).contains("one");
        assertThat(RawHttp.send(port, "PUT", target, List.of(basic("ci", ciKey)), "two".getBytes(StandardCharsets.UTF_8)).status())
                .isEqualTo(403);
        assertThat(tags().content("team/race", "first")).contains("one");
    }

    @Test
    void adminsMayOverwriteAndDelete() throws Exception {
        RawHttp.Response put = send("PUT", "/v2/team/app/manifests/existing", basic("ops", "ops-password"));
        assertThat(put.status()).isEqualTo(201);
        assertThat(put.body()).isEqualTo("user=ops mountsDenied=");
        assertThat(send("DELETE", "/v2/team/app/manifests/sha256:abc", basic("ops", "ops-password")).status()).isEqualTo(202);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ops:ops-password", "alice:alice-password", "bob:bob-password"})
    void htpasswdUsersOfEveryBcryptVersionLogIn(String credentials) throws Exception {
        String[] parts = credentials.split(":");
        RawHttp.Response r = get("/v2/infra/dns/manifests/latest", basic(parts[0], parts[1]));
        // ops is an admin, alice may read infra/**, bob is authenticated but holds nothing there
        assertThat(r.status()).isEqualTo(parts[0].equals("bob") ? 403 : 200);
    }

    /**
     * bcrypt reads the first 72 bytes of a password, as htpasswd and zot do (the hash below is libxcrypt's, Apache's
     * crypt_blowfish, of 72 'a's); a longer wrong password is a 401 like any other, not a failure.
     */
    @Test
    void htpasswdPasswordsOver72BytesAreJudgedByTheirFirst72AsBcryptDoes() throws Exception {
        Files.writeString(htpasswd, Files.readString(htpasswd) + "long:$2y$05$abcdefghijklmnopqrstuuGUnCqbfgs3htOkLrFduUjAyLBw1Rq/u\n");
        assertThat(get("/v2/infra/dns/manifests/latest", basic("long", "a".repeat(80))).status())
                .as("authenticated, without rights on infra/**").isEqualTo(403);
        assertUnauthorized(get("/v2/infra/dns/manifests/latest", basic("long", "a".repeat(71))));
        assertUnauthorized(get("/v2/infra/dns/manifests/latest", basic("ops", "x".repeat(100))));
    }

    @Test
    void theHtpasswdFileIsReReadWhenItChanges() throws Exception {
        assertUnauthorized(get("/v2/infra/dns/manifests/latest", basic("carol", "carol-password")));
        Files.writeString(htpasswd, Files.readString(htpasswd) + "carol:"
                + BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(4, "carol-password".toCharArray()) + "\n");
        assertThat(get("/v2/infra/dns/manifests/latest", basic("carol", "carol-password")).status())
                .as("carol is now an authenticated user without rights on infra/**").isEqualTo(403);
        Files.writeString(htpasswd, Files.readString(htpasswd).replaceAll("(?m)^ops:.*\n", ""));
        assertUnauthorized(get("/v2/infra/dns/manifests/latest", basic("ops", "ops-password")));
    }

    @Test
    void aWrongPasswordIsNeverAnonymous() throws Exception {
        assertUnauthorized(get("/v2/team/app/manifests/latest", basic("ops", "wrong")));
        assertUnauthorized(get("/v2/team/app/manifests/latest", basic("nobody", "x")));
        assertUnauthorized(get("/v2/team/app/manifests/latest", "Authorization: Bearer pck_AAAAAAAAAAA_" + "A".repeat(39)));
    }

    @Test
    void metricsAreReadableWithoutCredentials() throws Exception {
        assertThat(get("/metrics").status()).isEqualTo(200);
        assertThat(get("/metrics", basic("ci", ciKey)).status()).isEqualTo(403);
    }

    @Test
    void theCatalogIsFilteredPerCaller() throws Exception {
        assertThat(JSON.readTree(get("/v2/_catalog").body()).get("repositories").toString()).isEqualTo("[\"team/app\",\"library/base\"]");
        assertThat(JSON.readTree(get("/v2/_catalog", basic("alice", "alice-password")).body()).get("repositories").toString())
                .isEqualTo("[\"infra/dns\"]");
        assertThat(JSON.readTree(get("/v2/_catalog", basic("ops", "ops-password")).body()).get("repositories").toString())
                .isEqualTo("[\"team/app\",\"infra/dns\",\"library/base\"]");
    }

    @Test
    void aCrossRepositoryMountFromAnUnreadableSourceFallsBackInsteadOfFailing() throws Exception {
        RawHttp.Response r = send("POST", "/v2/team/app/blobs/uploads/?mount=sha256:abc&from=infra/dns", basic("ci", ciKey));
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.body()).isEqualTo("user=ci mountsDenied=infra/dns");
    }

    @Test
    void theVersionCheckPassesWithTheChallengeAndDockerIsAskedToLogIn() throws Exception {
        RawHttp.Response plain = get("/v2/", "User-Agent: skopeo/1.15");
        assertThat(plain.status()).isEqualTo(200);
        assertThat(plain.header("WWW-Authenticate")).isEqualTo("Basic realm=\"" + REALM + "\"");
        assertUnauthorized(get("/v2/", "User-Agent: docker/27.0.1 go/go1.22"));
        assertThat(get("/v2/", "User-Agent: docker/27.0.1", basic("ci", ciKey)).status()).isEqualTo(200);
        assertUnauthorized(get("/v2/", basic("ci", "pck_bad")));
    }

}
