package dev.portcullis.auth.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.policy.AccessPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Hostile headers, paths and bodies: the attack corpus of SECURITY.md ("Hostile input"), over HTTP. */
abstract class HostileInputCases extends GenericStoreCases {
    // ------------------------------------------------------------------ hostile headers and paths

    @Test
    void malformedAuthorizationHeadersAre401() throws Exception {
        String target = "/v2/team/app/manifests/latest";
        assertUnauthorized(get(target, basic("ci", ciKey), basic("ops", "ops-password")));
        assertUnauthorized(get(target, "Authorization: Basic !!!not-base64"));
        assertUnauthorized(get(target, "Authorization: Basic " + Base64.getEncoder().encodeToString(new byte[] {(byte) 0xff, ':', 'x'})));
        assertUnauthorized(get(target, "Authorization: Basic " + Base64.getEncoder().encodeToString("no-colon".getBytes(StandardCharsets.UTF_8))));
        assertUnauthorized(get(target, "Authorization: Digest username=\"x\""));
        assertUnauthorized(get(target, "Authorization: Basic"));
        assertUnauthorized(get(target, "Authorization: Bearer a b"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v2/team%2Fapp/manifests/latest", "/v2/team%5capp/manifests/latest", "/v2/team/../infra/dns/manifests/latest",
        "/v2/team/%2e%2e/infra/dns/manifests/latest", "/v2/./team/app/manifests/latest", "/v2//team/app/manifests/latest",
        "/v2/team;x=y/app/manifests/latest", "/v2/team%00/manifests/latest", "/v2/team%zz/manifests/latest", "/v2/team%c0%ae/manifests/latest"})
    void ambiguousPathsAre400WithoutConsultingTheApplication(String path) throws Exception {
        RawHttp.Response r = get(path);
        assertThat(r.status()).as(path).isEqualTo(400);
        assertThat(r.body()).doesNotStartWith("user=");
    }

    // ------------------------------------------------------------------ the attack corpus (SECURITY.md, "Hostile input")

    @Test
    void aDeniedClientThatExpectsContinueIsAnsweredWithoutBeingAskedForItsBody() throws Exception {
        try (RawHttp.Conversation connection = new RawHttp.Conversation(port)) {
            connection.write("PUT /v2/team/app/manifests/expecting HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Expect: 100-continue\r\nContent-Length: 10485760\r\n\r\n");
            RawHttp.Response first = Objects.requireNonNull(connection.next(), "the server closed the connection without an answer");
            assertThat(first).as("an answer").isNotNull();
            assertThat(first.status()).as("the refusal, not 100 Continue: the client must not send what it may not push").isEqualTo(401);
        }
    }

    @Test
    void duplicateAuthorizationHeadersAreRefusedWhicheverComesFirst() throws Exception {
        String target = "/v2/team/app/manifests/dup";
        for (List<String> pair : List.of(List.of(basic("ci", ciKey), "Authorization: Basic Og=="), List.of("Authorization: Basic Og==", basic("ci", ciKey)),
                List.of("Authorization: Bearer " + ciKey, basic("ops", "ops-password")), List.of(basic("ops", "ops-password"), basic("ops", "ops-password")),
                List.of(basic("ci", ciKey), "authorization: Basic Og=="), List.of("AUTHORIZATION: Basic Og==", basic("ci", ciKey)))) {
            RawHttp.Response r = RawHttp.send(port, "PUT", target, pair, null);
            assertThat(r.status()).as(pair.toString()).isEqualTo(401);
            assertThat(r.body()).doesNotStartWith("user=");
        }
    }

    @Test
    void aFoldedHeaderNeverSmugglesAnAuthorization() throws Exception {
        // obs-fold (RFC 9112 5.2): a server must refuse it (400) or read it as one value joined by a space
        String hidden = "PUT /v2/team/app/manifests/existing HTTP/1.1\r\nHost: h\r\nX-Note: x\r\n Authorization: " + authorization("ops", "ops-password")
                + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        RawHttp.Response r = raw(hidden);
        assertThat(r.status()).isEqualTo(expect("obs-fold", 401));
        assertThat(r.body()).doesNotStartWith("user=");
        String folded = "PUT /v2/team/app/manifests/folded HTTP/1.1\r\nHost: h\r\nAuthorization: Basic\r\n " + authorization("ci", ciKey).substring(6)
                + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        RawHttp.Response unfolded = raw(folded);
        assertThat(unfolded.status()).isEqualTo(expect("obs-fold", 201));
        if (unfolded.status() == 201) {
            assertThat(unfolded.body()).isEqualTo("user=ci mountsDenied=");
        }
    }

    @Test
    void bareCrNulAndBareLfNeverAuthenticateAnyone() throws Exception {
        String ops = authorization("ops", "ops-password");
        RawHttp.Response cr = raw("PUT /v2/team/app/manifests/existing HTTP/1.1\r\nHost: h\r\nX-Note: x\rAuthorization: " + ops
                + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        assertThat(cr.status()).as("bare CR").isEqualTo(expect("bare-cr", 401));
        assertThat(cr.body()).doesNotStartWith("user=");
        RawHttp.Response nul = raw("PUT /v2/team/app/manifests/existing HTTP/1.1\r\nHost: h\r\nAuthorization: " + ops
                + "\u0000\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        assertThat(nul.status()).as("NUL").isEqualTo(expect("nul", 401));
        assertThat(nul.body()).doesNotStartWith("user=");
        RawHttp.Response lf = raw("PUT /v2/team/app/manifests/lf HTTP/1.1\nHost: h\nContent-Length: 0\nConnection: close\n\n");
        assertThat(lf.status()).as("bare LF, anonymous push").isEqualTo(expect("bare-lf", 401));
    }

    @Test
    void duplicateHostHeaders() throws Exception {
        for (String second : List.of("Host", "host", "HOST")) {
            RawHttp.Response r = raw("GET /v2/team/app/manifests/latest HTTP/1.1\r\nHost: a\r\n" + second + ": b\r\nConnection: close\r\n\r\n");
            assertThat(r.status()).as("RFC 9112 section 3.2: 400, with %s", second).isEqualTo(400);
        }
    }

    @Test
    void aSmuggledRequestBehindContentLengthAndChunkedNeverInheritsTheIdentity() throws Exception {
        // CL.TE: the first request's body, if read by Content-Length, hides a second request; chunked says it is empty
        String smuggled = "GET /v2/infra/dns/manifests/latest HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
        String first = "GET /v2/team/app/manifests/latest HTTP/1.1\r\nHost: h\r\n" + basic("ops", "ops-password")
                + "\r\nContent-Length: " + ("0\r\n\r\n" + smuggled).length() + "\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled;
        List<RawHttp.Response> responses = RawHttp.exchange(port, first);
        List<Integer> statuses = responses.stream().map(RawHttp.Response::status).toList();
        assertThat(statuses).isEqualTo(containerAnswers().containsKey("cl-te") ? List.of(containerAnswers().get("cl-te")) : List.of(200, 401));
        if (statuses.size() == 2) {
            assertThat(responses.get(0).body()).isEqualTo("user=ops mountsDenied=");
            assertThat(responses.get(1).body()).doesNotStartWith("user=");
        }
    }

    @Test
    void oversizeHeadsAreRefusedBeforeThePipeline() throws Exception {
        int before = events.size();
        RawHttp.Response header = raw("GET /v2/team/app/manifests/latest HTTP/1.1\r\nHost: h\r\nX-Pad: " + "a".repeat(64 * 1024)
                + "\r\nConnection: close\r\n\r\n");
        assertThat(header.status()).as("64 KiB header").isEqualTo(expect("oversize-header", 431));
        RawHttp.Response line = raw("GET /v2/team/app/manifests/" + "a".repeat(16 * 1024) + " HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
        assertThat(line.status()).as("16 KiB request target").isEqualTo(expect("oversize-uri", 414));
        assertThat(events).as("no decision was made on a request the server could not read").hasSize(before);
        assertThat(get("/v2/team/app/manifests/latest").status()).as("and the server goes on").isEqualTo(200);
    }

    @Test
    void oversizeBodiesToTheKeyEndpointAndThePageAre413() throws Exception {
        String ops = basic("ops", "ops-password");
        String big = "{\"label\": \"" + "x".repeat(9000) + "\"}";
        for (String path : List.of("/auth/apikey", "/auth/")) {
            RawHttp.Response sized = RawHttp.send(port, "POST", path, List.of(ops, "Content-Type: application/json"), big.getBytes(StandardCharsets.UTF_8));
            assertThat(sized.status()).as(path + " with Content-Length").isEqualTo(413);
            String chunk = Integer.toHexString(big.length()) + "\r\n" + big + "\r\n0\r\n\r\n";
            RawHttp.Response chunked = raw("POST " + path + " HTTP/1.1\r\nHost: h\r\n" + ops + "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunk);
            assertThat(chunked.status()).as(path + " chunked").isEqualTo(413);
        }
        assertThat(keys.list("ops")).isEmpty();
    }

    /** Every repository route, with {@code NAME} where the repository name goes. */
    private static final List<String> ROUTES = List.of("/v2/NAME/manifests/latest", "/v2/NAME/blobs/sha256:abc", "/v2/NAME/blobs/uploads/",
            "/v2/NAME/blobs/uploads/5f2a", "/v2/NAME/tags/list", "/v2/NAME/referrers/sha256:abc");

    @ParameterizedTest
    @ValueSource(strings = {"team%2fapp", "team%2Fapp", "team%5capp", "team\\app", "team/%2e%2e/infra/dns", "team/./app", "team//app",
        "team;v=1/app", "team/app;", "team%3bx/app", "team%c0%afapp", "team%e0%80%afapp", "team%c0%ae%c0%ae/app", "team%252fapp",
        "team%ef%bc%8fapp", "team%00app", "team%0aapp", "team/app%20", "%2a%2a", "*", "team/*", "team/%5ba%5d", "team/%7ba,b%7d",
        "team/%3f", "team/app%23x", "TEAM/app", "t%C3%A9am/app"})
    void pathTricksOnEveryRouteAre400(String name) throws Exception {
        for (String route : ROUTES) {
            String path = route.replace("NAME", name);
            for (String method : List.of("GET", "PUT", "DELETE")) {
                RawHttp.Response r = send(method, path, basic("ops", "ops-password"));
                assertThat(r.status()).as(method + " " + path).isEqualTo(400);
                assertThat(r.body()).as(method + " " + path).doesNotStartWith("user=");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/V2/team/app/manifests/latest", "/V2/_catalog", "/V2/", "/v2/../V2/team/app/manifests/latest"})
    void caseVariantsOfV2AreRefused(String path) throws Exception {
        RawHttp.Response r = send("PUT", path);
        assertThat(r.status()).as(path).isEqualTo(400);
        assertThat(r.body()).doesNotStartWith("user=");
    }

    /**
     * A refused request whose body Portcullis never read must not leave a kept-alive connection
     * out of step: the server either says {@code Connection: close} and closes it, or skips the
     * body and answers the next request on it. (Jetty used to close it silently after the refusal,
     * so a pooling client's next request on that connection got no answer at all; the soak found it.)
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"anonymous push,,401", "wrong password,ops:wrong,401", "wrong password with failDelay,ops:wrong-again,401",
            "denied overwrite,ci:,403", "oversize key request,ops:ops-password,413"})
    void aRefusedRequestsUnreadBodyNeverLeavesTheConnectionOutOfStep(String what, String credential, int status) throws Exception {
        if (what.contains("failDelay")) {
            serve(b -> b.failDelay(Duration.ofMillis(20))); // answered later, off the request thread
        }
        String auth = "";
        if (credential != null) {
            String[] userAndPassword = credential.split(":", -1);
            auth = basic(userAndPassword[0], userAndPassword[1].isEmpty() ? ciKey : userAndPassword[1]) + "\r\n";
        }
        boolean oversize = what.startsWith("oversize"); // refused once 8 KiB of it have been read, so it is sent at once
        String body = oversize ? "{\"label\":\"" + "x".repeat(9000) + "\"}" : "{}";
        String request = oversize ? "POST /auth/apikey" : "PUT /v2/team/app/manifests/existing";
        String head = request + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth
                + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n";
        String next = "GET /v2/team/app/manifests/latest HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        try (RawHttp.Conversation connection = new RawHttp.Conversation(port)) {
            connection.write(oversize ? head + body : head);
            RawHttp.Response refused = Objects.requireNonNull(connection.next(), "no answer: the server closed the connection");
            assertThat(refused.status()).isEqualTo(status);
            boolean close = "close".equalsIgnoreCase(refused.header("Connection"));
            try {
                connection.write(oversize ? next : body + next); // a client sends the rest of its request anyway
            } catch (java.io.IOException e) {
                assertThat(close).as("the connection broke though the server did not say Connection: close").isTrue();
            }
            RawHttp.Response following = connection.next();
            if (close) {
                assertThat(following).as("the server closes after saying Connection: close").isNull();
                return;
            }
            if (following == null) {
                throw new AssertionError("kept alive without Connection: close, so the next request on it must be answered");
            }
            assertThat(following.status()).isEqualTo(200);
        }
    }

    /**
     * A credential that differs from one sent earlier on the same connection only in the case of one letter is another
     * credential (base64 and API keys are case-sensitive), and must be judged as sent. Jetty's HTTP/1 parser keeps the
     * header fields a connection sent before and, by default, matches new ones against them ignoring case: without the
     * filter making that cache case-sensitive, the second request reached it carrying the first one's value and was
     * let in as its user. (The soak found it: a mistyped key was accepted once its Basic header happened to be the valid
     * one's, but for the case of one base64 digit.)
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"basic api key", "bearer api key", "basic htpasswd"})
    void aCaseVariantOfACredentialSentEarlierOnTheConnectionIsNotThatCredential(String what) throws Exception {
        String valid = switch (what) {
            case "basic api key" -> basic("ci", ciKey);
            case "bearer api key" -> "Authorization: Bearer " + ciKey;
            default -> basic("ops", "ops-password");
        };
        String variant = caseVariant(valid);
        try (RawHttp.Conversation connection = new RawHttp.Conversation(port)) {
            connection.write("GET /v2/team/app/manifests/latest HTTP/1.1\r\nHost: 127.0.0.1\r\n" + valid + "\r\n\r\n");
            RawHttp.Response first = Objects.requireNonNull(connection.next(), "no answer to the valid credential");
            assertThat(first.status()).as("the valid credential").isEqualTo(200);
            connection.write("PUT /v2/team/app/manifests/case-variant HTTP/1.1\r\nHost: 127.0.0.1\r\n" + variant
                    + "\r\nContent-Type: application/json\r\nContent-Length: 0\r\n\r\n");
            RawHttp.Response second = Objects.requireNonNull(connection.next(), "no answer to the case variant");
            assertThat(second.body()).as(variant + " after " + valid).doesNotStartWith("user=");
            assertThat(second.status()).as(variant + " after " + valid).isEqualTo(401);
        }
    }

    /** {@code Authorization: …} with the case of one letter of its credential changed, in its middle (never in base64 padding bits). */
    private static String caseVariant(String header) {
        int credential = header.indexOf(' ', "Authorization: ".length()) + 1;
        for (int i = credential + (header.length() - credential) / 2; i < header.length(); i++) {
            char c = header.charAt(i);
            if (Character.isLetter(c)) {
                char flipped = Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c);
                return header.substring(0, i) + flipped + header.substring(i + 1);
            }
        }
        throw new IllegalArgumentException("no letter in the second half of " + header);
    }

    @Test
    void lookAlikeUserAndGroupNamesGetNothing() throws Exception {
        serve(b -> b.policy(AccessPolicy.fromZotJson("""
                {"repositories": {"**": {"policies": [
                  {"users": ["alice", "jos\u00e9"], "actions": ["read"]},
                  {"groups": ["artifact-workloads"], "actions": ["read", "create"]}]}}}
                """)));
        String cyrillicA = "\u0430lice"; // а: Cyrillic
        String nfd = "jose\u0301";        // é as e + combining acute
        String nfc = "jos\u00e9";
        assertThat(get("/v2/team/app/manifests/latest", basic("alice", "alice-password")).status()).isEqualTo(200);
        assertUnauthorized(get("/v2/team/app/manifests/latest", basic(cyrillicA, "alice-password")));
        assertThat(get("/v2/team/app/manifests/latest", basic(nfc, keyFor(nfc, List.of()))).status()).isEqualTo(200);
        for (String user : List.of(cyrillicA, nfd, "ALICE", "alice\u200b", "\uff41lice")) {
            String key = keyFor(user, List.of());
            assertThat(get("/v2/team/app/manifests/latest", "Authorization: Bearer " + key).status()).as(user).isEqualTo(403);
        }
        for (String group : List.of("artifact-workload\u0455", "Artifact-Workloads", "artifact\u2010workloads", "artifact-workloads\u0000")) {
            String key = keyFor("someone", List.of(group));
            assertThat(send("PUT", "/v2/team/app/manifests/new", "Authorization: Bearer " + key).status()).as(group).isEqualTo(403);
        }
    }

    private String keyFor(String user, List<String> groups) throws Exception {
        return keys.create(new ApiKeyService.KeyRequest(user, groups, "look-alike", List.of(), null, "test")).token();
    }

}
